import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.execute("DROP DATABASE legacy") inside autocommit_block()',
    [{ sql: 'DROP DATABASE legacy', inTransaction: false }],
    {},
    { lines: [10], message: /DROP DATABASE "legacy": every table and row in it is gone/ },
  ],
  [
    'DROP DATABASE IF EXISTS, WITH (FORCE)',
    [{ sql: 'DROP DATABASE IF EXISTS reports WITH (FORCE)', inTransaction: false }],
    {},
    { lines: [10], message: /"reports"/ },
  ],
];

const valid: LintCase[] = [
  [
    'a database the revision created itself',
    [
      { sql: 'CREATE DATABASE scratch', inTransaction: false },
      { sql: 'DROP DATABASE scratch', inTransaction: false },
    ],
    {},
    none,
  ],
  ['DROP SCHEMA is not DROP DATABASE', ['DROP SCHEMA legacy CASCADE'], {}, none],
];

ruleTable('drop-database', invalid, valid);
