import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/observed-full-scan.js';
import type { ExecutedStatement, ObservedEffects } from '../../../src/model.js';
import { estimateLocks } from '../../../src/roundtrip/estimate.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

function observed(sql: string, obs: Partial<ObservedEffects>, mode = 'ShareLock'): ExecutedStatement {
  return {
    sql,
    line: 20,
    durationMs: 2,
    locks: [{ relation: 'users', mode }],
    inTransaction: true,
    observed: {
      rewrote: [],
      scanned: [],
      rowsRead: { users: 300 },
      bytes: { users: 32768 },
      locked: ['users'],
      lockMs: { users: 2 },
      ...obs,
    },
  };
}

const ctxOf = (statements: ExecutedStatement[], maxLockMs?: number): RoundTripRuleContext =>
  ctx({ steps: [{ ...step('upgrade'), statements }, step('downgrade'), step('reupgrade')] }, { maxLockMs });

const UPDATE = 'DO $$ BEGIN LOCK TABLE users IN SHARE MODE; PERFORM count(*) FROM users; END $$';

describe('observed-full-scan', () => {
  it('flags an unexplained full read of an existing table under a lock that blocks writes', () => {
    expect(rule.check(ctxOf([observed(UPDATE, { scanned: ['users'] })]))).toEqual([
      {
        message: `${UPDATE} read all of users under ShareLock (observed on the seeded rows in 2 ms).`,
        file: REL_FILE,
        line: 20,
        statement: UPDATE,
        severity: 'warning',
      },
    ]);
  });

  it('states the estimate and stays a warning under max-lock-ms', () => {
    const st = observed(UPDATE, { scanned: ['users'] });
    estimateLocks([st], { users: { rows: 1000 } });
    const [finding] = rule.check(ctxOf([st], 2000));
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toMatch(/scanned users \(300 rows\) in 2 ms; 1000 rows ≈ 7 ms/);
  });

  it.each<[string, ExecutedStatement[]]>([
    [
      'SET NOT NULL (set-not-null cites it)',
      [
        observed(
          'ALTER TABLE users ALTER COLUMN email SET NOT NULL',
          { scanned: ['users'] },
          'AccessExclusiveLock',
        ),
      ],
    ],
    [
      'a scan under a lock that lets writes through',
      [observed(UPDATE, { scanned: ['users'] }, 'RowExclusiveLock')],
    ],
    ['a statement outside a transaction (scans unknown)', [observed(UPDATE, { scanned: null })]],
    [
      'a table that was rewritten (observed-table-rewrite says it)',
      [observed(UPDATE, { scanned: ['users'], rewrote: ['users'] })],
    ],
  ])('accepts %s', (_name, statements) => {
    expect(rule.check(ctxOf(statements))).toEqual([]);
  });
});
