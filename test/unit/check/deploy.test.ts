/** Where a deployed-release failure is reported: the revision that touched it, and its line. */
import { describe, expect, it } from 'vitest';
import type { DeployFailure } from '../../../src/alembic/deploy-probe.js';
import { placeDeployFailures } from '../../../src/check/deploy.js';
import type { RoundTripResult } from '../../../src/roundtrip/run.js';
import { revision, step } from '../roundtrip/revision-fixture.js';

const failure: DeployFailure = {
  model: 'User',
  table: 'users',
  column: 'name',
  kind: 'missing-column',
  operations: ['select'],
  statement: 'SELECT users.name FROM users LIMIT 1',
  error: 'column users.name does not exist',
  sqlstate: '42703',
};

function roundTrip(statements: Record<string, Array<[string, number]>>): RoundTripResult {
  return {
    baseUpgrade: null,
    modelDrift: null,
    timings: {},
    revisions: Object.entries(statements).map(([id, sqls]) =>
      revision({
        id,
        steps: [
          {
            ...step('upgrade'),
            statements: sqls.map(([sql, line]) => ({ sql, line, durationMs: 1, locks: [] })),
          },
        ],
      }),
    ),
  };
}

describe('placeDeployFailures', () => {
  it('puts a rename on the revision that renamed, at its line, with the new name', () => {
    const placed = placeDeployFailures(
      [failure],
      roundTrip({
        a1: [['ALTER TABLE users RENAME COLUMN name TO full_name', 12]],
        b2: [['CREATE INDEX ix_orders_total ON orders (total)', 9]],
      }),
      ['a1', 'b2'],
      'c0ffee',
    );
    expect([...placed.keys()]).toEqual(['a1']);
    expect(placed.get('a1')).toEqual([{ ...failure, commit: 'c0ffee', line: 12, renamedTo: 'full_name' }]);
  });

  it('falls back to the last pending revision, without a line, when no statement names the table', () => {
    const placed = placeDeployFailures(
      [failure],
      roundTrip({ a1: [['CREATE TABLE t (id int)', 3]], b2: [] }),
      ['a1', 'b2'],
      'c0ffee',
    );
    expect(placed.get('b2')).toEqual([{ ...failure, commit: 'c0ffee', line: null, renamedTo: null }]);
  });

  it('a quoted name counts; a longer name that only contains it does not', () => {
    const placed = placeDeployFailures(
      [{ ...failure, kind: 'missing-table', column: null, table: 'users' }],
      roundTrip({ a1: [['DROP TABLE "users"', 4]], b2: [['DROP TABLE users_archive', 7]] }),
      ['a1', 'b2'],
      'c0ffee',
    );
    expect(placed.get('a1')?.[0]?.line).toBe(4);
    expect(placed.has('b2')).toBe(false);
  });
});
