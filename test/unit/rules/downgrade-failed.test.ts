import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/downgrade-failed.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

const failedDown = (error: string, line: number | undefined, statement: string | undefined) =>
  ctx({ steps: [step('upgrade'), step('downgrade', { error, line, statement })], schemaRestored: null });

describe('downgrade-failed', () => {
  it.each<[string, RoundTripRuleContext, string, number | null, string | null]>([
    [
      'a wrong column name',
      failedDown(
        'UndefinedColumn: column "cost" of relation "products" does not exist',
        22,
        'ALTER TABLE products DROP COLUMN cost',
      ),
      'downgrade of a1b2 failed right after its upgrade: UndefinedColumn: column "cost" of relation "products" does not exist',
      22,
      'ALTER TABLE products DROP COLUMN cost',
    ],
    [
      'a table still referenced',
      failedDown(
        'DependentObjectsStillExist: cannot drop table users because other objects depend on it',
        30,
        'DROP TABLE users',
      ),
      'downgrade of a1b2 failed right after its upgrade: DependentObjectsStillExist: cannot drop table users because other objects depend on it',
      30,
      'DROP TABLE users',
    ],
    [
      'a downgrade that raises',
      failedDown('NotImplementedError: irreversible', 25, undefined),
      'downgrade of a1b2 failed right after its upgrade: NotImplementedError: irreversible',
      25,
      null,
    ],
  ])('flags %s', (_name, context, message, line, statement) => {
    const findings = rule.check(context);
    const error = context.revision.steps.find((s) => s.phase === 'downgrade')?.error;
    expect(findings).toEqual([{ message, file: REL_FILE, line, statement, subjects: [error] }]);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['a full successful round trip', ctx()],
    [
      'a failed upgrade (the downgrade never ran)',
      ctx({ steps: [step('upgrade', { error: 'x' })], schemaRestored: null }),
    ],
    [
      'a downgrade that runs but leaves a trace',
      ctx({ schemaRestored: false, downgradeDiff: ['index ix remains after downgrade'] }),
    ],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
