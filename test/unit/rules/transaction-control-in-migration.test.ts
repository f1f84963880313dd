import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.execute("COMMIT") in the middle of a revision',
    [
      'ALTER TABLE orders ADD COLUMN a int',
      { sql: 'COMMIT', inTransaction: false },
      'UPDATE orders SET a = 1',
    ],
    {},
    { lines: [11], message: /^COMMIT commits the transaction alembic opened/ },
  ],
  [
    'op.get_bind().execute(text("END")) — END is COMMIT',
    ['CREATE TABLE t (id int)', { sql: 'END', inTransaction: false }],
    {},
    { lines: [11], message: /^END commits/ },
  ],
  [
    'ROLLBACK undoes what alembic believes applied',
    ['ALTER TABLE orders ADD COLUMN a int', { sql: 'ROLLBACK', inTransaction: false }],
    {},
    { lines: [11], message: /^ROLLBACK rolls back/ },
  ],
  [
    'BEGIN … COMMIT inside alembic’s transaction: both flagged',
    ['BEGIN', 'ALTER TABLE orders ADD COLUMN a int', { sql: 'COMMIT', inTransaction: false }],
    {},
    { lines: [10, 12], message: /^(BEGIN is sent inside|COMMIT commits)/ },
  ],
  [
    'the driver saw a transaction open before it (first statement of the revision)',
    [{ sql: 'COMMIT', inTransactionBefore: true, inTransaction: false }],
    {},
    { lines: [10], message: /COMMIT/ },
  ],
  [
    'COMMIT; in one string with other statements',
    [{ sql: 'UPDATE orders SET a = 1; COMMIT; ALTER TABLE orders ADD COLUMN b int', inTransaction: true }],
    {},
    { lines: [10], message: /^COMMIT commits/ },
  ],
];

const valid: LintCase[] = [
  [
    'with op.get_context().autocommit_block(): op.execute("BEGIN") … op.execute("COMMIT")',
    [
      'ALTER TABLE orders ADD COLUMN a int',
      { sql: 'BEGIN', inTransactionBefore: false, inTransaction: true },
      { sql: 'UPDATE orders SET a = 1', inTransaction: true },
      { sql: 'COMMIT', inTransactionBefore: true, inTransaction: false },
    ],
    {},
    none,
  ],
  [
    'autocommit_block without driver data: the previous statement ran outside a transaction',
    [
      { sql: 'CREATE INDEX CONCURRENTLY ix ON orders (a)', inTransaction: false },
      { sql: 'BEGIN', inTransaction: true },
      { sql: 'UPDATE orders SET a = 1', inTransaction: true },
    ],
    {},
    none,
  ],
  [
    'SAVEPOINT is not transaction control alembic cares about',
    ['SAVEPOINT s1', 'RELEASE SAVEPOINT s1'],
    {},
    none,
  ],
  ['no transaction control at all', ['ALTER TABLE orders ADD COLUMN a int'], {}, none],
];

ruleTable('transaction-control-in-migration', invalid, valid);
