import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/deleted-applied-migration.js';
import type { FileProblem } from '../../../src/alembic/analyze.js';
import type { RevisionSpec } from '../../helpers/git-repo.js';
import { analysisOf } from '../alembic/analysis-fixture.js';

const a: RevisionSpec = { id: 'a1', down: null, message: 'create_t_a' };
const b: RevisionSpec = { id: 'b2', down: 'a1', message: 'add_t_b' };
const c: RevisionSpec = { id: 'c3', down: 'b2', message: 'add_t_c' };

describe('deleted-applied-migration', () => {
  it.each<[string, RevisionSpec[], RevisionSpec[], string[]]>([
    ['the head deleted', [a, b], [a], ['b2']],
    ['a middle revision deleted', [a, b, c], [a, c], ['b2']],
    ['everything deleted', [a, b], [], ['a1', 'b2']],
    ['a revision renumbered (old id gone)', [a, b], [a, { ...b, id: 'b9' }], ['b2']],
  ])('flags %s', (_name, base, head, ids) => {
    const findings = rule.check({ analysis: analysisOf({ base, head }), naming: null });
    expect(findings.map((f) => f.message.split(' ')[1])).toEqual(ids);
    expect(findings[0]?.message).toMatch(/Can't locate revision/);
  });

  it.each<[string, RevisionSpec[], RevisionSpec[], FileProblem[]]>([
    ['nothing removed', [a, b], [a, b, c], []],
    ['file renamed, id kept', [a, b], [a, { ...b, message: 'renamed_file_x' }], []],
    ['no base to compare with', [], [a], []],
    [
      'the file is there but Python could not import it',
      [a, b],
      [a],
      [{ relFile: 'migrations/versions/b2_add_t_b.py', message: 'SyntaxError', line: 3, importError: true }],
    ],
  ])('accepts %s', (_name, base, head, problems) => {
    expect(rule.check({ analysis: analysisOf({ base, head, problems }), naming: null })).toEqual([]);
  });
});
