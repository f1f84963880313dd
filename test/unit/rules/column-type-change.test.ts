import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'column-type-change';

const invalid: LintCase[] = [
  [
    'int → bigint',
    ['ALTER TABLE orders ALTER COLUMN id TYPE bigint'],
    { existingColumnTypes: { orders: { id: 'integer' } } },
    { lines: [10], message: /int4 → int8/ },
  ],
  [
    'varchar shrink',
    ['ALTER TABLE orders ALTER COLUMN code TYPE varchar(10)'],
    { existingColumnTypes: { orders: { code: 'character varying(20)' } } },
    { lines: [10], message: /varchar\(20\) → varchar\(10\)/ },
  ],
  [
    'USING always rewrites',
    ['ALTER TABLE orders ALTER COLUMN code TYPE text USING code::text'],
    { existingColumnTypes: { orders: { code: 'character varying(20)' } } },
    { lines: [10], message: /USING/ },
  ],
  [
    'old type unknown',
    ['ALTER TABLE orders ALTER COLUMN code TYPE varchar(30)'],
    {},
    { lines: [10], message: /old type is unknown/ },
  ],
  [
    'numeric scale change',
    ['ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,3)'],
    { existingColumnTypes: { orders: { amount: 'numeric(10,2)' } } },
    { lines: [10], message: /numeric/ },
  ],
];

const valid: LintCase[] = [
  [
    'varchar widening',
    ['ALTER TABLE orders ALTER COLUMN code TYPE varchar(40)'],
    { existingColumnTypes: { orders: { code: 'character varying(20)' } } },
    { lines: [], message: /./ },
  ],
  [
    'varchar → text',
    ['ALTER TABLE orders ALTER COLUMN code TYPE text'],
    { existingColumnTypes: { orders: { code: 'character varying(20)' } } },
    { lines: [], message: /./ },
  ],
  [
    'numeric precision increase',
    ['ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2)'],
    { existingColumnTypes: { orders: { amount: 'numeric(10,2)' } } },
    { lines: [], message: /./ },
  ],
  [
    'column added earlier in the revision, widened',
    [
      'ALTER TABLE orders ADD COLUMN note varchar(10)',
      'ALTER TABLE orders ALTER COLUMN note TYPE varchar(50)',
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ALTER COLUMN a TYPE bigint'],
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
