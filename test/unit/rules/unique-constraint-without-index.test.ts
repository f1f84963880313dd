import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'unique-constraint-without-index';

const invalid: LintCase[] = [
  [
    'ADD UNIQUE',
    ['ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE (email)'],
    {},
    { lines: [10], message: /"uq_users_email" UNIQUE on existing table "users"/ },
  ],
  [
    'ADD PRIMARY KEY',
    ['ALTER TABLE users ADD PRIMARY KEY (id)'],
    {},
    { lines: [10], message: /PRIMARY KEY/ },
  ],
  [
    'ADD COLUMN … UNIQUE',
    ['ALTER TABLE users ADD COLUMN handle text UNIQUE'],
    {},
    { lines: [10], message: /"handle" UNIQUE/ },
  ],
];

const valid: LintCase[] = [
  [
    'USING INDEX',
    [
      { sql: 'CREATE UNIQUE INDEX CONCURRENTLY uq_users_email ON users (email)', inTransaction: false },
      'ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ADD CONSTRAINT uq UNIQUE (a)'],
    {},
    { lines: [], message: /./ },
  ],
  ['unique in CREATE TABLE', ['CREATE TABLE t (a int UNIQUE)'], {}, { lines: [], message: /./ }],
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
