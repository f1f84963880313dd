import { describe, expect, it } from 'vitest';
import { lint } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.add_column("orders", sa.Column("total", sa.Numeric(), sa.Computed("price * qty", persisted=True)))',
    ['ALTER TABLE orders ADD COLUMN total NUMERIC GENERATED ALWAYS AS (price * qty) STORED'],
    {},
    { lines: [10], message: /stored generated column "total" added to existing table "orders"/ },
  ],
  [
    'STORED on PostgreSQL 18 still rewrites',
    ['ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED'],
    { serverVersionNum: 180001 },
    { lines: [10], message: /rewriting the table/ },
  ],
  [
    'SET EXPRESSION before PostgreSQL 18 (all generated columns are stored)',
    ['ALTER TABLE orders ALTER COLUMN total SET EXPRESSION AS (price * qty * 2)'],
    { serverVersionNum: 170002 },
    { lines: [10], message: /SET EXPRESSION on generated column "total" of existing table "orders"/ },
  ],
];

const valid: LintCase[] = [
  [
    'VIRTUAL generated column on PostgreSQL 18 (computed on read, no rewrite)',
    ['ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) VIRTUAL'],
    { serverVersionNum: 180001 },
    none,
  ],
  [
    'SET EXPRESSION on PostgreSQL 18 (the column may be virtual)',
    ['ALTER TABLE orders ALTER COLUMN total SET EXPRESSION AS (price * qty * 2)'],
    { serverVersionNum: 180001 },
    none,
  ],
  [
    'op.create_table with a Computed column — a new table',
    ['CREATE TABLE orders (price numeric, qty int, total numeric GENERATED ALWAYS AS (price * qty) STORED)'],
    {},
    none,
  ],
  [
    'added to a table created earlier in the same revision',
    [
      'CREATE TABLE orders (price numeric, qty int)',
      'ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED',
    ],
    {},
    none,
  ],
  ['a plain nullable column', ['ALTER TABLE orders ADD COLUMN total numeric'], {}, none],
];

ruleTable('generated-column-rewrite', invalid, valid);

describe('one cause, one finding', () => {
  it('volatile-default leaves the stored generated column to this rule', async () => {
    const found = await lint([
      'ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED',
    ]);
    const rewrites = found.filter((f) =>
      ['generated-column-rewrite', 'volatile-default'].includes(f.finding.rule),
    );
    expect(rewrites.map((f) => f.finding.rule)).toEqual(['generated-column-rewrite']);
  });
});
