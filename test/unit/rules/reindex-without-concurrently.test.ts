import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.execute("REINDEX INDEX ix_orders_user")',
    ['REINDEX INDEX ix_orders_user'],
    {},
    { lines: [10], message: /^REINDEX rebuilds existing index "ix_orders_user" without CONCURRENTLY/ },
  ],
  [
    'REINDEX TABLE in autocommit_block() but without CONCURRENTLY',
    [{ sql: 'REINDEX TABLE orders', inTransaction: false }],
    {},
    { lines: [10], message: /the indexes of existing table "orders"/ },
  ],
  [
    'REINDEX SCHEMA',
    [{ sql: 'REINDEX SCHEMA shop', inTransaction: false }],
    {},
    { lines: [10], message: /every index of the schema/ },
  ],
  [
    'PostgreSQL 11: the finding explains the manual swap (no CONCURRENTLY there)',
    ['REINDEX INDEX ix_orders_user'],
    { serverVersionNum: 110022 },
    { lines: [10], message: /existing index "ix_orders_user"/ },
  ],
];

const valid: LintCase[] = [
  [
    'with op.get_context().autocommit_block(): op.execute("REINDEX INDEX CONCURRENTLY ix")',
    [{ sql: 'REINDEX INDEX CONCURRENTLY ix_orders_user', inTransaction: false }],
    {},
    none,
  ],
  [
    'REINDEX (VERBOSE, CONCURRENTLY) TABLE',
    [{ sql: 'REINDEX (CONCURRENTLY, VERBOSE) TABLE orders', inTransaction: false }],
    {},
    none,
  ],
  [
    'an index created earlier in the same revision',
    ['CREATE TABLE t (a int)', 'CREATE INDEX ix_t_a ON t (a)', 'REINDEX INDEX ix_t_a'],
    {},
    none,
  ],
  ['a table created earlier in the same revision', ['CREATE TABLE t (a int)', 'REINDEX TABLE t'], {}, none],
];

ruleTable('reindex-without-concurrently', invalid, valid);
