import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'mixed-data-and-schema';

const invalid: LintCase[] = [
  [
    'backfill and SET NOT NULL',
    [
      'ALTER TABLE users ADD COLUMN active boolean',
      'UPDATE users SET active = true',
      'ALTER TABLE users ALTER COLUMN active SET NOT NULL',
    ],
    { settings: { 'set-not-null': 'off' } },
    { lines: [11], message: /rows of existing table "users" \(1 statement\)/ },
  ],
  [
    'DELETE and DROP COLUMN',
    ['DELETE FROM orders WHERE id < 0', 'ALTER TABLE orders DROP COLUMN legacy'],
    {},
    { lines: [10], message: /"orders"/ },
  ],
  [
    'INSERT into an existing table plus an index',
    ['INSERT INTO settings (k, v) VALUES (1, 2)', 'CREATE INDEX ix ON orders (a)'],
    {},
    { lines: [10], message: /"settings".*"orders"/ },
  ],
];

const valid: LintCase[] = [
  [
    'seed rows into a table created in the revision',
    ['CREATE TABLE countries (code text)', "INSERT INTO countries VALUES ('de')"],
    {},
    { lines: [], message: /./ },
  ],
  ['data only', ['UPDATE users SET active = true WHERE active IS NULL'], {}, { lines: [], message: /./ }],
  [
    'schema only',
    ['ALTER TABLE users ADD COLUMN a int', 'CREATE INDEX CONCURRENTLY ix ON users (a)'],
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
