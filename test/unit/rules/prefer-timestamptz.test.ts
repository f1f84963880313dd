import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'sa.DateTime() in op.create_table renders TIMESTAMP WITHOUT TIME ZONE',
    ['CREATE TABLE events (id BIGINT, created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL)'],
    {},
    { lines: [10], message: /^column "created_at" of "events" is timestamp without time zone/ },
  ],
  [
    'op.add_column with sa.DateTime()',
    ['ALTER TABLE orders ADD COLUMN shipped_at TIMESTAMP WITHOUT TIME ZONE'],
    {},
    { lines: [10], message: /"shipped_at" of "orders"/ },
  ],
  [
    'op.alter_column(type_=sa.DateTime()) and timestamp(3)',
    ['ALTER TABLE orders ALTER COLUMN paid_at TYPE timestamp(3)'],
    {},
    { lines: [10], message: /^column "paid_at" is changed to timestamp without time zone/ },
  ],
];

const valid: LintCase[] = [
  [
    'sa.DateTime(timezone=True)',
    ['CREATE TABLE events (created_at TIMESTAMP WITH TIME ZONE NOT NULL)'],
    {},
    none,
  ],
  ['timestamptz', ['ALTER TABLE orders ADD COLUMN shipped_at timestamptz'], {}, none],
  ['a date column', ['ALTER TABLE orders ADD COLUMN shipped_on date'], {}, none],
];

ruleTable('prefer-timestamptz', invalid, valid);
