import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    // The referenced table existed before: CREATE TABLE blocks writes to it while it adds the key.
    'a new table whose foreign key locks an existing one',
    [
      {
        sql: 'CREATE TABLE coupons (id int PRIMARY KEY, user_id int REFERENCES users (id))',
        locks: [
          { relation: 'coupons', mode: 'AccessExclusiveLock' },
          { relation: 'coupons_pkey', mode: 'AccessExclusiveLock' },
          { relation: 'users', mode: 'ShareRowExclusiveLock' },
        ],
      },
    ],
    {},
    { lines: [10], message: /^statement locks existing table "users" against writes/ },
  ],
  [
    'ALTER TABLE with no statement_timeout',
    ['ALTER TABLE users ADD COLUMN a int'],
    {},
    { lines: [10], message: /existing table "users" against writes with no statement_timeout/ },
  ],
  [
    'plain CREATE INDEX (SHARE lock) — one finding per revision',
    ['CREATE INDEX ix ON orders (a)', 'ALTER TABLE users ADD COLUMN a int'],
    {},
    { lines: [10], message: /"orders"/ },
  ],
  [
    'lock seen only by the driver (a function taking a SHARE ROW EXCLUSIVE lock)',
    [{ sql: 'SELECT my_migration_fn()', locks: [{ relation: 'orders', mode: 'ShareRowExclusiveLock' }] }],
    {},
    { lines: [10], message: /"orders"/ },
  ],
  [
    'disabled with 0',
    ['SET statement_timeout = 0', 'ALTER TABLE users ADD COLUMN a int'],
    {},
    { lines: [11], message: /"users"/ },
  ],
  [
    'the server reported none (the driver read 0 before the statement)',
    [{ sql: 'ALTER TABLE users ADD COLUMN a int', statementTimeoutMs: 0 }],
    {},
    { lines: [10], message: /"users"/ },
  ],
  [
    'a SET statement_timeout in the revision is RESET before the ALTER',
    ["SET statement_timeout = '30s'", 'RESET statement_timeout', 'ALTER TABLE users ADD COLUMN a int'],
    {},
    { lines: [12], message: /"users"/ },
  ],
];

const valid: LintCase[] = [
  [
    'a table created by the same statement, and an index on it',
    [
      {
        sql: 'CREATE TABLE coupons (id SERIAL NOT NULL, code TEXT, PRIMARY KEY (id), UNIQUE (code))',
        locks: [
          { relation: 'coupons', mode: 'AccessExclusiveLock' },
          { relation: 'coupons_pkey', mode: 'AccessExclusiveLock' },
          { relation: 'coupons_code_key', mode: 'AccessExclusiveLock' },
          { relation: 'coupons_id_seq', mode: 'AccessExclusiveLock' },
        ],
      },
      {
        sql: 'CREATE INDEX ix_coupons_code2 ON coupons (code)',
        locks: [
          { relation: 'coupons', mode: 'AccessExclusiveLock' },
          { relation: 'coupons_pkey', mode: 'AccessExclusiveLock' },
          { relation: 'coupons_code_key', mode: 'AccessExclusiveLock' },
          { relation: 'coupons_id_seq', mode: 'AccessExclusiveLock' },
          { relation: 'coupons', mode: 'ShareLock' },
          { relation: 'ix_coupons_code2', mode: 'AccessExclusiveLock' },
        ],
      },
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'op.execute("SET statement_timeout = \'30s\'") first',
    ["SET statement_timeout = '30s'", 'ALTER TABLE users ADD COLUMN a int'],
    {},
    none,
  ],
  [
    'SET LOCAL via op.get_bind().execute(text(…))',
    ["SET LOCAL statement_timeout = '30s'", 'ALTER TABLE users ADD COLUMN a int'],
    {},
    none,
  ],
  [
    'set_config()',
    ["SELECT set_config('statement_timeout', '1min', false)", 'DROP TABLE users'],
    { settings: { 'drop-table': 'off' } },
    none,
  ],
  [
    'set on the role or in env.py: the driver read it before the statement',
    [{ sql: 'ALTER TABLE users ADD COLUMN a int', statementTimeoutMs: 30000 }],
    {},
    none,
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ADD COLUMN b int'],
    {},
    none,
  ],
  [
    'CREATE INDEX CONCURRENTLY in autocommit_block() (no write-blocking lock)',
    [{ sql: 'CREATE INDEX CONCURRENTLY ix ON users (a)', inTransaction: false }],
    {},
    none,
  ],
];

ruleTable('statement-timeout-missing', invalid, valid);
