import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'rename-column';

const invalid: LintCase[] = [
  [
    'RENAME COLUMN',
    ['ALTER TABLE users RENAME COLUMN name TO full_name'],
    {},
    { lines: [10], message: /"name" TO "full_name" on existing table "users"/ },
  ],
  [
    'RENAME without COLUMN keyword',
    ['ALTER TABLE users RENAME name TO full_name'],
    {},
    { lines: [10], message: /"users"/ },
  ],
  [
    'schema-qualified',
    ['ALTER TABLE crm.users RENAME COLUMN a TO b'],
    {},
    { lines: [10], message: /"crm\.users"/ },
  ],
  [
    'existing column renamed after another column was added',
    ['ALTER TABLE users ADD COLUMN nick text', 'ALTER TABLE users RENAME COLUMN name TO full_name'],
    {},
    { lines: [11], message: /"name" TO "full_name"/ },
  ],
  [
    'column added then dropped, then an existing column renamed into its name',
    [
      'ALTER TABLE users ADD COLUMN nick text',
      'ALTER TABLE users DROP COLUMN nick',
      'ALTER TABLE users RENAME COLUMN name TO nick',
    ],
    {},
    { lines: [12], message: /"name" TO "nick"/ },
  ],
];

const valid: LintCase[] = [
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t RENAME COLUMN a TO b'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'column added earlier in the same revision',
    ['ALTER TABLE users ADD COLUMN nick text', 'ALTER TABLE users RENAME COLUMN nick TO nickname'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'column added, renamed, renamed again',
    [
      'ALTER TABLE users ADD COLUMN a text',
      'ALTER TABLE users RENAME COLUMN a TO b',
      'ALTER TABLE users RENAME COLUMN b TO c',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'existing table dropped later in the revision',
    ['ALTER TABLE users RENAME COLUMN a TO b', 'DROP TABLE users'],
    {},
    { lines: [], message: /./ },
  ],
  ['renaming a constraint', ['ALTER TABLE users RENAME CONSTRAINT a TO b'], {}, { lines: [], message: /./ }],
  [
    'renaming a table is another rule',
    ['ALTER TABLE users RENAME TO people'],
    { settings: { 'rename-table': 'off' } },
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
