import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'drop-table';

const invalid: LintCase[] = [
  ['DROP TABLE', ['DROP TABLE legacy_orders'], {}, { lines: [10], message: /"legacy_orders"/ }],
  [
    'DROP TABLE IF EXISTS two tables',
    ['DROP TABLE IF EXISTS a, b CASCADE'],
    {},
    { lines: [10, 10], message: /DROP TABLE/ },
  ],
  [
    'table created earlier in the revision under another name',
    ['CREATE TABLE x (id int)', 'DROP TABLE y'],
    {},
    { lines: [11], message: /"y"/ },
  ],
];

const valid: LintCase[] = [
  [
    'table created in the same revision',
    ['CREATE TABLE tmp (id int)', 'DROP TABLE tmp'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'DROP INDEX is not DROP TABLE',
    [{ sql: 'DROP INDEX CONCURRENTLY ix', inTransaction: false }],
    {},
    { lines: [], message: /./ },
  ],
  ['DROP VIEW', ['DROP VIEW v'], {}, { lines: [], message: /./ }],
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
