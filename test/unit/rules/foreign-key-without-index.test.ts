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
];

const valid: LintCase[] = [
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
