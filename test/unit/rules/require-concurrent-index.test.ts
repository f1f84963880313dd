import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'require-concurrent-index';

const invalid: LintCase[] = [
  [
    'plain CREATE INDEX on an existing table',
    ['CREATE INDEX ix_orders_user ON orders (user_id)'],
    {},
    { lines: [10], message: /"ix_orders_user" on existing table "orders"/ },
  ],
  [
    'CREATE UNIQUE INDEX, schema-qualified',
    ['CREATE UNIQUE INDEX ux ON shop.orders (code)'],
    {},
    { lines: [10], message: /"shop\.orders"/ },
  ],
  [
    'table created in an EARLIER revision is existing',
    ['CREATE TABLE other (id int)', 'CREATE INDEX ix ON orders (a)'],
    {},
    { lines: [11], message: /orders/ },
  ],
  [
    'table recreated in the revision does not cover an index on the old one kept to the end',
    [
      'CREATE INDEX ix ON orders (a)',
      'ALTER TABLE orders RENAME TO orders_old',
      'CREATE TABLE orders (a int)',
    ],
    {},
    { lines: [10], message: /orders/ },
  ],
];

const valid: LintCase[] = [
  [
    'table dropped later in the revision (DROP TABLE takes the same lock)',
    ['CREATE INDEX ix ON orders (a)', 'DROP TABLE orders', 'CREATE TABLE orders (a int)'],
    {},
    { lines: [], message: /./ },
  ],
  ['CONCURRENTLY', ['CREATE INDEX CONCURRENTLY ix ON orders (user_id)'], {}, { lines: [], message: /./ }],
  [
    'table created earlier in the same revision',
    ['CREATE TABLE orders (id int, user_id int)', 'CREATE INDEX ix ON orders (user_id)'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'table created with CREATE TABLE AS in the revision',
    ['CREATE TABLE archive AS SELECT 1 AS id', 'CREATE INDEX ix ON archive (id)'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'new table renamed in the revision',
    ['CREATE TABLE tmp (id int)', 'ALTER TABLE tmp RENAME TO orders2', 'CREATE INDEX ix ON orders2 (id)'],
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
