import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

/** 64 ASCII bytes: one over PostgreSQL's limit. */
const LONG = 'ix_' + 'order_items_by_customer_and_created_at_and_status_and_region'.padEnd(61, 'x');
/** 63 bytes: exactly the limit. */
const EXACT = 'y'.repeat(63);
/** 32 characters of 2 bytes each: 64 bytes. */
const MULTIBYTE = 'é'.repeat(32);

const invalid: LintCase[] = [
  [
    'op.create_index with a name PostgreSQL truncates',
    [`CREATE INDEX ${LONG} ON orders (customer_id, created_at)`],
    {},
    { lines: [10], message: new RegExp(`"${LONG}" \\(64 bytes\\) becomes "${LONG.slice(0, 63)}"`) },
  ],
  [
    'quoted, mixed-case constraint name in op.create_foreign_key',
    [
      `ALTER TABLE orders ADD CONSTRAINT "FK_${'x'.repeat(61)}" FOREIGN KEY (a) REFERENCES users (id) NOT VALID`,
    ],
    {},
    { lines: [10], message: /"FK_x+" \(64 bytes\)/ },
  ],
  [
    'multi-byte characters count in bytes, not characters',
    [`CREATE TABLE "${MULTIBYTE}" (id int)`],
    {},
    { lines: [10], message: /\(64 bytes\) becomes "é{31}"/ },
  ],
  [
    'a column name in op.add_column',
    [`ALTER TABLE orders ADD COLUMN ${LONG} int`],
    {},
    { lines: [10], message: /64 bytes/ },
  ],
];

const valid: LintCase[] = [
  ['exactly 63 bytes', [`CREATE INDEX ${EXACT} ON orders (a)`], {}, none],
  ['a long string literal is not an identifier', [`COMMENT ON TABLE orders IS '${LONG}${LONG}'`], {}, none],
  ['a long alias in a SELECT is not stored in the catalog', [`SELECT 1 AS ${LONG}`], {}, none],
  ['an UPDATE backfill', [`UPDATE orders SET status = '${LONG}'`], {}, none],
];

ruleTable('identifier-too-long', invalid, valid);
