import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'with op.get_context().autocommit_block(): op.execute("VACUUM FULL orders")',
    [{ sql: 'VACUUM FULL orders', inTransaction: false }],
    {},
    { lines: [10], message: /^VACUUM FULL rewrites "orders" into new files under ACCESS EXCLUSIVE/ },
  ],
  [
    'VACUUM (FULL, ANALYZE) with no table: the whole database',
    [{ sql: 'VACUUM (FULL, ANALYZE)', inTransaction: false }],
    {},
    { lines: [10], message: /every table of the database/ },
  ],
  [
    'op.execute("CLUSTER orders USING ix_orders_created")',
    ['CLUSTER orders USING ix_orders_created'],
    {},
    { lines: [10], message: /^CLUSTER rewrites "orders" in index order/ },
  ],
  ['bare CLUSTER', ['CLUSTER'], {}, { lines: [10], message: /every previously clustered table/ }],
  [
    'ALTER TABLE … SET TABLESPACE',
    ['ALTER TABLE orders SET TABLESPACE fast_disk'],
    {},
    { lines: [10], message: /^SET TABLESPACE copies it.*existing "orders"/ },
  ],
  [
    'ALTER INDEX … SET TABLESPACE on an existing index',
    ['ALTER INDEX ix_orders_user SET TABLESPACE fast_disk'],
    {},
    { lines: [10], message: /existing "ix_orders_user"/ },
  ],
  [
    'ALTER TABLE … SET UNLOGGED',
    ['ALTER TABLE events SET UNLOGGED'],
    {},
    { lines: [10], message: /SET UNLOGGED rewrites it/ },
  ],
  [
    'ALTER TABLE ALL IN TABLESPACE',
    ['ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE fast_disk'],
    {},
    { lines: [10], message: /ALL IN TABLESPACE/ },
  ],
];

const valid: LintCase[] = [
  [
    'plain VACUUM (no rewrite, no ACCESS EXCLUSIVE)',
    [{ sql: 'VACUUM ANALYZE orders', inTransaction: false }],
    {},
    none,
  ],
  [
    'VACUUM FULL of a table created earlier in the same revision',
    ['CREATE TABLE staging (id int)', { sql: 'VACUUM FULL staging', inTransaction: false }],
    {},
    none,
  ],
  [
    'SET TABLESPACE on a new table',
    ['CREATE TABLE staging (id int)', 'ALTER TABLE staging SET TABLESPACE fast_disk'],
    {},
    none,
  ],
  [
    'ALTER TABLE … CLUSTER ON only marks the index',
    ['ALTER TABLE orders CLUSTER ON ix_orders_created'],
    {},
    none,
  ],
];

ruleTable('table-rewrite-command', invalid, valid);
