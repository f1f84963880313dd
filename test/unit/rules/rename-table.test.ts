import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'rename-table';

const invalid: LintCase[] = [
  [
    'RENAME TO',
    ['ALTER TABLE users RENAME TO people'],
    {},
    { lines: [10], message: /existing table "users" TO "people"/ },
  ],
  [
    'IF EXISTS',
    ['ALTER TABLE IF EXISTS orders RENAME TO purchases'],
    {},
    { lines: [10], message: /"orders"/ },
  ],
  [
    'schema-qualified',
    ['ALTER TABLE shop.orders RENAME TO purchases'],
    {},
    { lines: [10], message: /"shop\.orders"/ },
  ],
];

const valid: LintCase[] = [
  [
    'table created in the same revision',
    ['CREATE TABLE tmp (a int)', 'ALTER TABLE tmp RENAME TO final'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'renaming a column',
    ['ALTER TABLE users RENAME COLUMN a TO b'],
    { settings: { 'rename-column': 'off' } },
    { lines: [], message: /./ },
  ],
  ['renaming an index', ['ALTER INDEX ix_a RENAME TO ix_b'], {}, { lines: [], message: /./ }],
  [
    'table created with SELECT … INTO in the same revision',
    ['SELECT id, name INTO users_flat FROM users', 'ALTER TABLE users_flat RENAME TO people'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'table created with CREATE TABLE AS in the same revision',
    ['CREATE TABLE users_flat AS SELECT id FROM users', 'ALTER TABLE users_flat RENAME TO people'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'existing table renamed away and dropped later',
    ['ALTER TABLE users RENAME TO users_old', 'DROP TABLE users_old'],
    { settings: { 'drop-table': 'off' } },
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
