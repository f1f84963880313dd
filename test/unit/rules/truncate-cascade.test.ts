import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.execute("TRUNCATE orders CASCADE")',
    ['TRUNCATE orders CASCADE'],
    {},
    { lines: [10], message: /existing table "orders" also empties every table with a foreign key/ },
  ],
  [
    'op.get_bind().execute(text("TRUNCATE TABLE shop.orders, users CASCADE"))',
    ['TRUNCATE TABLE shop.orders, users CASCADE'],
    {},
    { lines: [10], message: /"shop\.orders", "users"/ },
  ],
  [
    'one new and one existing table: the existing one is named',
    ['CREATE TABLE staging (id int)', 'TRUNCATE staging, orders CASCADE'],
    {},
    { lines: [11], message: /^TRUNCATE … CASCADE on existing table "orders" also/ },
  ],
];

const valid: LintCase[] = [
  ['TRUNCATE without CASCADE (RESTRICT is the default)', ['TRUNCATE orders'], {}, none],
  ['TRUNCATE … RESTRICT', ['TRUNCATE orders RESTRICT'], {}, none],
  [
    'table created earlier in the same revision',
    ['CREATE TABLE staging (id int)', 'TRUNCATE staging CASCADE'],
    {},
    none,
  ],
  ['DELETE is another rule’s business', ['DELETE FROM orders'], {}, none],
];

ruleTable('truncate-cascade', invalid, valid);
