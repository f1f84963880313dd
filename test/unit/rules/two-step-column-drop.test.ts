import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'two-step-column-drop';

const invalid: LintCase[] = [
  [
    'DROP COLUMN',
    ['ALTER TABLE users DROP COLUMN nickname'],
    {},
    { lines: [10], message: /"nickname" on existing table "users"/ },
  ],
  [
    'two columns in one statement',
    ['ALTER TABLE users DROP COLUMN a, DROP COLUMN b'],
    {},
    { lines: [10, 10], message: /DROP COLUMN/ },
  ],
  [
    'IF EXISTS CASCADE',
    ['ALTER TABLE users DROP COLUMN IF EXISTS a CASCADE'],
    {},
    { lines: [10], message: /"a"/ },
  ],
];

const valid: LintCase[] = [
  [
    'column of a table created in the revision',
    ['CREATE TABLE t (a int, b int)', 'ALTER TABLE t DROP COLUMN b'],
    {},
    { lines: [], message: /./ },
  ],
  ['adding a column', ['ALTER TABLE users ADD COLUMN a int'], {}, { lines: [], message: /./ }],
  [
    'dropping a constraint',
    ['ALTER TABLE users DROP CONSTRAINT users_a_check'],
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
