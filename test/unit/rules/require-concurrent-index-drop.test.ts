import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'require-concurrent-index-drop';

const invalid: LintCase[] = [
  ['DROP INDEX', ['DROP INDEX ix_orders_user'], {}, { lines: [10], message: /"ix_orders_user"/ }],
  [
    'DROP INDEX IF EXISTS, two indexes',
    ['DROP INDEX IF EXISTS a_ix, b_ix'],
    {},
    { lines: [10, 10], message: /ACCESS EXCLUSIVE/ },
  ],
  ['schema-qualified', ['DROP INDEX shop.ix_x'], {}, { lines: [10], message: /"shop\.ix_x"/ }],
  [
    'index of an existing table the revision keeps (named by the snapshot)',
    ['DROP INDEX ix_orders_user', 'DROP TABLE legacy'],
    { existingIndexNames: { ix_orders_user: { table: 'orders', columns: ['user_id'] } } },
    { lines: [10], message: /"ix_orders_user"/ },
  ],
  [
    'index of a table dropped by an earlier revision step, recreated here',
    [
      'DROP TABLE orders',
      'CREATE TABLE orders (a int)',
      'ALTER TABLE orders RENAME TO orders2',
      'DROP INDEX ix_p',
    ],
    { existingIndexNames: { ix_p: { table: 'purchases', columns: ['a'] } } },
    { lines: [13], message: /"ix_p"/ },
  ],
];

const valid: LintCase[] = [
  [
    'CONCURRENTLY',
    [{ sql: 'DROP INDEX CONCURRENTLY ix_orders_user', inTransaction: false }],
    {},
    { lines: [], message: /./ },
  ],
  [
    'index created in the same revision',
    ['CREATE INDEX CONCURRENTLY ix ON orders (a)', 'DROP INDEX ix'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'index of an existing table the revision drops later (named by the snapshot)',
    ['DROP INDEX ix_orders_user', 'DROP INDEX ix_orders_code', 'DROP TABLE orders'],
    {
      existingIndexNames: {
        ix_orders_user: { table: 'orders', columns: ['user_id'] },
        ix_orders_code: { table: 'orders', columns: ['code'] },
      },
    },
    { lines: [], message: /./ },
  ],
  [
    'index of an existing table dropped later under its new name',
    ['DROP INDEX ix_orders_user', 'ALTER TABLE orders RENAME TO orders_old', 'DROP TABLE orders_old'],
    { existingIndexNames: { ix_orders_user: { table: 'orders', columns: ['user_id'] } } },
    { lines: [], message: /./ },
  ],
  [
    'index of an existing table dropped later, table known from the locks only',
    [
      {
        sql: 'DROP INDEX ix_orders_user',
        locks: [
          { relation: 'orders', mode: 'AccessExclusiveLock' },
          { relation: 'ix_orders_user', mode: 'AccessExclusiveLock' },
        ],
      },
      'DROP TABLE orders',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'index of a table created in the same revision',
    ['CREATE TABLE t (a int)', 'CREATE INDEX ix_t ON t (a)', 'DROP INDEX ix_t'],
    {},
    { lines: [], message: /./ },
  ],
];

describe(RULE, () => {
  it.each(invalid)('flags: %s', async (_name, specs, options, expected) => {
    const found = await findingsOf(RULE, specs, options);
    expect(found.map((f) => f.finding.line)).toEqual(expected.lines);
    for (const f of found) {
      expect(f.finding.message).toMatch(expected.message);
      expect(f.finding.file).toBe('migrations/versions/abc123_change.py');
      expect(f.revision).toBe('abc123');
    }
  });

  it.each(valid)('accepts: %s', async (_name, specs, options) => {
    expect(await findingsOf(RULE, specs, options)).toEqual([]);
  });
});
