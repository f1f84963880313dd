import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'foreign-key-not-valid';

const invalid: LintCase[] = [
  [
    'FK validated immediately',
    ['ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)'],
    {},
    { lines: [10], message: /"fk_orders_user" on existing table "orders" → "users"/ },
  ],
  [
    'unnamed FK',
    ['ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE'],
    {},
    { lines: [10], message: /SHARE ROW EXCLUSIVE/ },
  ],
  [
    'referenced table new, referencing table existing',
    [
      'CREATE TABLE users2 (id int primary key)',
      'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users2 (id)',
    ],
    {},
    { lines: [11], message: /orders/ },
  ],
];

const valid: LintCase[] = [
  [
    'NOT VALID',
    ['ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID'],
    {},
    { lines: [], message: /./ },
  ],
  ['VALIDATE CONSTRAINT', ['ALTER TABLE orders VALIDATE CONSTRAINT fk'], {}, { lines: [], message: /./ }],
  [
    'table created in the same revision',
    [
      'CREATE TABLE items (id int, order_id int)',
      'ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (order_id) REFERENCES orders (id)',
    ],
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
