import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'foreign-key-without-index';

const invalid: LintCase[] = [
  [
    'new table, FK column not indexed',
    ['CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders (id))'],
    {},
    { lines: [10], message: /"items" \(order_id\) → "orders" has no index/ },
  ],
  [
    'FK on existing table without existing index',
    ['ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID'],
    { existingIndexes: { orders: [['id'], ['created_at', 'user_id']] } },
    { lines: [10], message: /user_id/ },
  ],
  [
    'index dropped later in the revision',
    [
      'CREATE TABLE items (id int, order_id int REFERENCES orders (id))',
      'CREATE INDEX ix_items_order ON items (order_id)',
      'DROP INDEX ix_items_order',
    ],
    {},
    { lines: [10], message: /order_id/ },
  ],
  [
    'partial index does not count',
    [
      'CREATE TABLE items (id int, order_id int REFERENCES orders (id))',
      'CREATE INDEX ix ON items (order_id) WHERE id > 0',
    ],
    {},
    { lines: [10], message: /order_id/ },
  ],
  [
    'existing covering index goes away with a dropped column (DROP COLUMN drops its indexes)',
    [
      'ALTER TABLE orders DROP COLUMN legacy_code',
      'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
    ],
    { existingIndexes: { orders: [['user_id', 'legacy_code']] } },
    { lines: [11], message: /"orders" \(user_id\) → "users" has no index/ },
  ],
  [
    'new covering index goes away with a dropped column',
    [
      'CREATE TABLE items (id int, order_id int REFERENCES orders (id), tmp int)',
      'CREATE INDEX ix_items_order_tmp ON items (order_id, tmp)',
      'ALTER TABLE items DROP COLUMN tmp',
    ],
    {},
    { lines: [10], message: /order_id/ },
  ],
  [
    'existing named index dropped by DROP INDEX',
    [
      'DROP INDEX ix_orders_user',
      'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
    ],
    {
      existingIndexes: { orders: [['user_id']] },
      existingIndexNames: { ix_orders_user: { table: 'orders', columns: ['user_id'] } },
    },
    { lines: [11], message: /user_id/ },
  ],
  [
    'new table renamed, its index dropped after the rename',
    [
      'CREATE TABLE items_new (id int, order_id int REFERENCES orders (id))',
      'CREATE INDEX ix_items_order ON items_new (order_id)',
      'ALTER TABLE items_new RENAME TO items',
      'DROP INDEX ix_items_order',
    ],
    {},
    { lines: [10], message: /"items" \(order_id\) → "orders"/ },
  ],
];

const valid: LintCase[] = [
  [
    'new table with an indexed FK, then renamed (the FK moves with the table)',
    [
      'CREATE TABLE items_new (id int, order_id int REFERENCES orders (id))',
      'CREATE INDEX ix_items_new_order ON items_new (order_id)',
      'ALTER TABLE items_new RENAME TO items',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'new table renamed first, index created under the new name',
    [
      'CREATE TABLE items_new (id int, order_id int REFERENCES orders (id))',
      'ALTER TABLE items_new RENAME TO items',
      'CREATE INDEX ix_items_order ON items (order_id)',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'FK on a column that is dropped later in the revision',
    [
      'ALTER TABLE orders ADD COLUMN coupon_id int REFERENCES coupons (id)',
      'ALTER TABLE orders DROP COLUMN coupon_id',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'FK column renamed, index on the new name',
    [
      'CREATE TABLE items (id int, order_ref int REFERENCES orders (id))',
      'ALTER TABLE items RENAME COLUMN order_ref TO order_id',
      'CREATE INDEX ix_items_order ON items (order_id)',
    ],
    {},
    { lines: [], message: /./ },
  ],

  [
    'index created later in the same revision',
    [
      'CREATE TABLE items (id int, order_id int REFERENCES orders (id))',
      'CREATE INDEX ix_items_order ON items (order_id, id)',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'existing index from the snapshot',
    ['ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID'],
    { existingIndexes: { orders: [['user_id', 'created_at']] } },
    { lines: [], message: /./ },
  ],
  [
    'FK column is the primary key',
    ['CREATE TABLE profile (user_id int PRIMARY KEY REFERENCES users (id))'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'composite FK covered by a unique constraint in any order',
    ['CREATE TABLE m (a int, b int, FOREIGN KEY (a, b) REFERENCES p (x, y), UNIQUE (b, a))'],
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
