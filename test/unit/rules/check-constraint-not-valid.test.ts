import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'check-constraint-not-valid';

const invalid: LintCase[] = [
  [
    'CHECK validated immediately',
    ['ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0)'],
    {},
    { lines: [10], message: /"positive" on existing table "orders"/ },
  ],
  [
    'unnamed check',
    ['ALTER TABLE orders ADD CHECK (amount > 0)'],
    {},
    { lines: [10], message: /ACCESS EXCLUSIVE/ },
  ],
  [
    'schema-qualified',
    ['ALTER TABLE shop.orders ADD CONSTRAINT c CHECK (a IS NOT NULL)'],
    {},
    { lines: [10], message: /"shop\.orders"/ },
  ],
];

const valid: LintCase[] = [
  [
    'NOT VALID',
    ['ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)'],
    {},
    { lines: [], message: /./ },
  ],
  ['check inside CREATE TABLE', ['CREATE TABLE t (a int CHECK (a > 0))'], {}, { lines: [], message: /./ }],
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
