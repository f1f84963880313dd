import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'sa.String(50) in op.create_table renders VARCHAR(50)',
    ['CREATE TABLE users (id BIGINT, email VARCHAR(50) NOT NULL)'],
    {},
    {
      lines: [10],
      message: /^column "email" of "users" is varchar\(50\): raising the limit later needs ALTER COLUMN TYPE/,
    },
  ],
  [
    'sa.CHAR(2)',
    ['ALTER TABLE users ADD COLUMN country CHAR(2)'],
    {},
    { lines: [10], message: /"country" of "users" is char\(2\)/ },
  ],
  [
    'op.alter_column(type_=sa.String(100))',
    ['ALTER TABLE users ALTER COLUMN email TYPE VARCHAR(100)'],
    {},
    { lines: [10], message: /^column "email" is changed to varchar\(100\)/ },
  ],
];

const valid: LintCase[] = [
  ['sa.Text()', ['CREATE TABLE users (email TEXT NOT NULL)'], {}, none],
  ['sa.String() without a length renders VARCHAR', ['ALTER TABLE users ADD COLUMN note VARCHAR'], {}, none],
  [
    'text with a CHECK on its length',
    ['ALTER TABLE users ADD COLUMN code text CHECK (char_length(code) <= 8)'],
    {},
    none,
  ],
  ['the internal one-byte "char" type', ['ALTER TABLE users ADD COLUMN kind "char"'], {}, none],
];

ruleTable('prefer-text-over-varchar', invalid, valid);
