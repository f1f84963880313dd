import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/base-upgrade-failed.js';
import type { ProjectRoundTripContext } from '../../../src/roundtrip/rule-context.js';

const ctx = (baseFailure: ProjectRoundTripContext['baseFailure']): ProjectRoundTripContext => ({
  baseFailure,
  baseHeads: ['a2'],
  pending: ['b1', 'b2'],
});

describe('base-upgrade-failed', () => {
  it.each<[string, ProjectRoundTripContext, string, string | null, number | null]>([
    [
      'a base revision that does not import',
      ctx({
        revision: 'a2',
        file: 'migrations/versions/a2_add_billing.py',
        line: 9,
        error: "ModuleNotFoundError: No module named 'billing_money'",
      }),
      "upgrading to the base branch fails at base revision a2: ModuleNotFoundError: No module named 'billing_money'; 2 pending revision(s) not checked",
      'migrations/versions/a2_add_billing.py',
      9,
    ],
    [
      'a base revision that fails on an empty database',
      ctx({
        revision: 'a2',
        file: 'migrations/versions/a2_drop_legacy.py',
        line: 21,
        error: 'UndefinedTable: table "legacy_orders" does not exist',
      }),
      'upgrading to the base branch fails at base revision a2: UndefinedTable: table "legacy_orders" does not exist; 2 pending revision(s) not checked',
      'migrations/versions/a2_drop_legacy.py',
      21,
    ],
    [
      'a failure alembic does not place in a revision',
      ctx({ revision: null, file: null, line: null, error: 'OperationalError: connection lost' }),
      'upgrading to the base branch fails at the base heads (a2): OperationalError: connection lost; 2 pending revision(s) not checked',
      null,
      null,
    ],
  ])('flags %s', (_name, context, message, file, line) => {
    expect(rule.check(context)).toEqual([{ message, revision: null, file, line }]);
  });

  it('accepts a base that upgrades', () => {
    expect(rule.check(ctx(null))).toEqual([]);
  });
});
