import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/irreversible-downgrade.js';
import { declaredIrreversible, statesReason } from '../../../src/alembic/irreversible.js';
import { revisionFile, type RevisionSpec } from '../../helpers/git-repo.js';
import { analysisOf } from '../alembic/analysis-fixture.js';

const base: RevisionSpec = { id: 'a1', down: null, message: 'create_t_a' };
const rev = (downgrade: string, extra: Partial<RevisionSpec> = {}): RevisionSpec => ({
  id: 'b2',
  down: 'a1',
  message: 'merge_duplicate_accounts',
  upgrade: "op.execute('DELETE FROM accounts WHERE duplicate_of IS NOT NULL')",
  downgrade,
  ...extra,
});
const FILE = 'migrations/versions/b2_merge_duplicate_accounts.py';
/** The line of the `raise` in the file revisionFile() writes. */
const raiseLine = (spec: RevisionSpec) =>
  revisionFile(spec)
    .split('\n')
    .findIndex((l) => /^\s+raise /.test(l)) + 1;
const check = (spec: RevisionSpec) =>
  rule.check({ analysis: analysisOf({ base: [base], head: [base, spec] }), naming: null });

describe('irreversible-downgrade', () => {
  it.each<[string, RevisionSpec, string, number]>([
    [
      'NotImplementedError with a reason in its message',
      rev('raise NotImplementedError("duplicate accounts were merged; the originals are gone")'),
      'declared irreversible: duplicate accounts were merged; the originals are gone (downgrade() raises NotImplementedError; the round trip stops after the upgrade)',
      23,
    ],
    [
      'RuntimeError with the reason in a comment',
      rev('# the old rows were deleted by upgrade(), restore from backup\nraise RuntimeError()'),
      'declared irreversible: the old rows were deleted by upgrade(), restore from backup (downgrade() raises RuntimeError; the round trip stops after the upgrade)',
      24,
    ],
    [
      "alembic's CommandError, dotted, after a docstring",
      rev('"""One-way."""\nraise alembic.util.CommandError("legacy tables are archived to cold storage")'),
      'declared irreversible: legacy tables are archived to cold storage (downgrade() raises CommandError; the round trip stops after the upgrade)',
      24,
    ],
  ])('flags %s', (_name, spec, message, line) => {
    expect(raiseLine(spec)).toBe(line);
    expect(check(spec)).toEqual([{ message, revision: 'b2', file: FILE, line }]);
  });

  it.each<[string, RevisionSpec]>([
    ['a raise without a reason', rev('raise NotImplementedError()')],
    [
      'a message that only says it is irreversible',
      rev('raise NotImplementedError("Irreversible migration")'),
    ],
    [
      'a comment that only says it cannot be downgraded',
      rev('# cannot downgrade\nraise NotImplementedError'),
    ],
    ['another exception type', rev('raise ValueError("the originals are gone for good")')],
    [
      'a conditional raise',
      rev('if True:\n    raise NotImplementedError("the originals are gone for good")'),
    ],
    [
      'a raise after real work',
      rev('op.drop_column("t", "x")\nraise NotImplementedError("the originals are gone")'),
    ],
    ['a real downgrade', rev('op.add_column("accounts", sa.Column("x", sa.Text()))')],
    ['a pass downgrade (empty-downgrade)', rev('pass')],
  ])('accepts %s', (_name, spec) => {
    expect(check(spec)).toEqual([]);
  });

  it('only checks pending revisions', () => {
    const old = rev('raise NotImplementedError("duplicate accounts were merged for good")');
    expect(
      rule.check({ analysis: analysisOf({ base: [base, old], head: [base, old] }), naming: null }),
    ).toEqual([]);
  });

  it('tells a reason from a restatement', () => {
    expect(statesReason('irreversible')).toBe(false);
    expect(statesReason('This migration cannot be downgraded.')).toBe(false);
    expect(statesReason('Downgrade not supported')).toBe(false);
    expect(statesReason('data is lost: old values cannot be restored')).toBe(true);
    expect(declaredIrreversible(null)).toBeNull();
  });
});
