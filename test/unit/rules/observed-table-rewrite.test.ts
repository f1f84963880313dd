import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/observed-table-rewrite.js';
import type { ExecutedStatement, ObservedEffects } from '../../../src/model.js';
import { estimateLocks } from '../../../src/roundtrip/estimate.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

function observed(
  sql: string,
  obs: Partial<ObservedEffects>,
  mode = 'AccessExclusiveLock',
): ExecutedStatement {
  return {
    sql,
    line: 12,
    durationMs: 4,
    locks: [{ relation: 'orders', mode }],
    inTransaction: true,
    observed: {
      rewrote: [],
      scanned: [],
      rowsRead: { orders: 300 },
      bytes: { orders: 65536 },
      locked: ['orders'],
      lockMs: { orders: 6 },
      ...obs,
    },
  };
}

function withStatements(statements: ExecutedStatement[], maxLockMs?: number): RoundTripRuleContext {
  const up = { ...step('upgrade'), statements };
  return ctx({ steps: [up, step('downgrade'), step('reupgrade')] }, { maxLockMs });
}

// A rewrite no static rule can see: the ALTER runs inside a DO block.
const SET_LOGGED = "DO $$ BEGIN EXECUTE 'ALTER TABLE orders SET UNLOGGED'; END $$";

describe('observed-table-rewrite', () => {
  it('flags an unexplained rewrite of an existing table as a warning', () => {
    const findings = rule.check(withStatements([observed(SET_LOGGED, { rewrote: ['orders'] })]));
    expect(findings).toEqual([
      {
        message: `${SET_LOGGED} rewrote orders under AccessExclusiveLock (observed on the seeded rows in 4 ms).`,
        file: REL_FILE,
        line: 12,
        statement: SET_LOGGED,
        severity: 'warning',
      },
    ]);
  });

  it('is an error when the estimate at production size exceeds max-lock-ms, with its basis', () => {
    const st = observed(SET_LOGGED, { rewrote: ['orders'] });
    estimateLocks([st], { orders: { rows: 50_000_000 } });
    expect(st.observed?.estimatedLockMs?.orders).toBeGreaterThan(60_000);
    const [finding] = rule.check(withStatements([st], 2000));
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toMatch(
      /Estimated at production size: rewrote orders \(300 rows\) in 4 ms; 50 M rows ≈ 11\.1 min/,
    );
    expect(finding?.message).toMatch(/over max-lock-ms \(2 s\)/);
  });

  it('bases the estimate on the rows the table held before the revision, not on tuples read twice', () => {
    const st = observed(SET_LOGGED, { rewrote: ['orders'], rowsRead: { orders: 600 } });
    estimateLocks([st], { orders: { rows: 50_000_000 } }, { orders: 300 });
    expect(st.observed?.estimateBasis?.[0]).toMatch(
      /^rewrote orders \(300 rows\) in 4 ms; 50 M rows ≈ 11\.1 min/,
    );
  });

  it.each<[string, ExecutedStatement[]]>([
    [
      'a statement a static rule explains (column-type-change cites it)',
      [observed('ALTER TABLE orders ALTER COLUMN amount TYPE NUMERIC', { rewrote: ['orders'] })],
    ],
    [
      'a rewrite under a lock that lets writes through',
      [observed(SET_LOGGED, { rewrote: ['orders'] }, 'ShareUpdateExclusiveLock')],
    ],
    [
      'SET UNLOGGED written as such (table-rewrite-command reports it)',
      [observed('ALTER TABLE orders SET UNLOGGED', { rewrote: ['orders'] })],
    ],
    [
      'a bigserial column added (volatile-default reports it)',
      [observed('ALTER TABLE orders ADD COLUMN seq BIGSERIAL NOT NULL', { rewrote: ['orders'] })],
    ],
    ['a rebuilt index only (not a table)', [observed('REINDEX INDEX ix', { rewrote: ['ix'] })]],
    ['no rewrite', [observed(SET_LOGGED, {})]],
  ])('accepts %s', (_name, statements) => {
    expect(rule.check(withStatements(statements))).toEqual([]);
  });
});
