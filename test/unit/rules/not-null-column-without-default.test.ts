import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'not-null-column-without-default';

const invalid: LintCase[] = [
  [
    'failed on the seeded rows: says so, not "the test database is empty"',
    [
      {
        sql: 'ALTER TABLE users ADD COLUMN plan text NOT NULL',
        error: 'NotNullViolation: column "plan" contains null values',
      },
    ],
    { tableRows: { users: 300 } },
    {
      lines: [10],
      message: /fails on any table with rows \(it failed here on the 300 row\(s\) "users" held\)$/,
    },
  ],
  [
    'populated run, the table had no rows',
    ['ALTER TABLE users ADD COLUMN plan text NOT NULL'],
    { tableRows: { orders: 300 } },
    { lines: [10], message: /\(it passed here only because "users" had no rows\)$/ },
  ],
  [
    'round trip on empty tables',
    ['ALTER TABLE users ADD COLUMN plan text NOT NULL'],
    {},
    { lines: [10], message: /\(it passed here only because the test database is empty\)$/ },
  ],
  [
    'NOT NULL without default',
    ['ALTER TABLE users ADD COLUMN age int NOT NULL'],
    {},
    { lines: [10], message: /"age" NOT NULL without a default on existing table "users"/ },
  ],
  [
    'PRIMARY KEY column without default',
    ['ALTER TABLE users ADD COLUMN code text PRIMARY KEY'],
    { settings: { 'unique-constraint-without-index': 'off' } },
    { lines: [10], message: /"code"/ },
  ],
  [
    'DEFAULT NULL does not count',
    ['ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT NULL'],
    {},
    { lines: [10], message: /"age"/ },
  ],
];

const valid: LintCase[] = [
  [
    'constant default (no rewrite on PG 11+)',
    ['ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true'],
    {},
    { lines: [], message: /./ },
  ],
  ['nullable column', ['ALTER TABLE users ADD COLUMN age int'], {}, { lines: [], message: /./ }],
  [
    'table created in the same revision',
    ['CREATE TABLE users2 (id int)', 'ALTER TABLE users2 ADD COLUMN age int NOT NULL'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'identity column fills rows',
    ['ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL'],
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
