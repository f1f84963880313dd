import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'sql-parse-error';

const invalid: LintCase[] = [
  ['syntax error', ['SELEC 1'], {}, { lines: [10], message: /syntax error at or near "SELEC"/ }],
  [
    'psycopg2 placeholder left in the text',
    ['UPDATE users SET a = %(a)s'],
    {},
    { lines: [10], message: /Could not parse/ },
  ],
  [
    'statement truncated by the driver',
    [`INSERT INTO t VALUES ${Array.from({ length: 3000 }, (_, i) => `(${i}, 'x')`).join(', ')} …`],
    {},
    { lines: [10], message: /longer than 20 000 characters/ },
  ],
  [
    'one bad among good',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ADD COLUMN', 'DROP TABLE t'],
    {},
    { lines: [11], message: /syntax error/ },
  ],
];

const valid: LintCase[] = [
  [
    'NOT VALID, VALIDATE, identity, ALTER TYPE ADD VALUE',
    [
      'ALTER TABLE o ADD CONSTRAINT c CHECK (a > 0) NOT VALID',
      'ALTER TABLE o VALIDATE CONSTRAINT c',
      'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY)',
      "ALTER TYPE mood ADD VALUE 'meh'",
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'several statements in one execute',
    ['CREATE TABLE a (id int); CREATE TABLE b (id int);'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'statement of another revision run in the same step',
    [{ sql: 'SELEC 1', revision: 'other' }],
    {},
    { lines: [], message: /./ },
  ],
  [
    'bookkeeping is not parsed',
    [{ sql: 'not sql at all', bookkeeping: true }],
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
