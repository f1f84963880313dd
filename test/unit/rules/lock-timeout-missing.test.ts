import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'lock-timeout-missing';

const invalid: LintCase[] = [
  [
    'ALTER TABLE without lock_timeout',
    ['ALTER TABLE users ADD COLUMN a int'],
    {},
    { lines: [10], message: /existing table "users" requested without a lock_timeout/ },
  ],
  [
    'lock seen only in the driver lock list',
    [{ sql: 'SELECT my_migration_fn()', locks: [{ relation: 'orders', mode: 'AccessExclusiveLock' }] }],
    {},
    { lines: [10], message: /"orders"/ },
  ],
  [
    'lock_timeout disabled with 0',
    ['SET lock_timeout = 0', 'DROP TABLE users'],
    { settings: { 'drop-table': 'off' } },
    { lines: [11], message: /"users"/ },
  ],
  [
    'SET above the policy maximum',
    ["SET lock_timeout = '30s'", 'ALTER TABLE users ADD COLUMN a int'],
    { lockTimeout: { maxMs: 5000 } },
    { lines: [10], message: /30\.0 s, above the policy's 5\.0 s/ },
  ],
];

const valid: LintCase[] = [
  [
    // The new table, its indexes and sequence are locked by the statement that creates them.
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
    'SET lock_timeout first',
    ["SET lock_timeout = '5s'", 'ALTER TABLE users ADD COLUMN a int'],
    { lockTimeout: { maxMs: 5000 } },
    { lines: [], message: /./ },
  ],
  [
    'set_config()',
    ["SELECT set_config('lock_timeout', '2s', false)", 'ALTER TABLE users ADD COLUMN a int'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE t (a int)', 'ALTER TABLE t ADD COLUMN b int'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'only weaker locks',
    [
      'ALTER TABLE users VALIDATE CONSTRAINT c',
      { sql: 'CREATE INDEX CONCURRENTLY ix ON users (a)', inTransaction: false },
    ],
    {},
    { lines: [], message: /./ },
  ],
];

describe(RULE, () => {
  it.each(invalid)('flags: %s', async (_name, specs, options, expected) => {
    const found = await findingsOf(RULE, specs, options);
    expect(found.map((f) => f.finding.line)).toEqual(expected.lines);
    for (const f of found) {
      expect(f.finding.message).toMatch(expected.message);
      expect(f.finding.file).toBe('migrations/versions/abc123_change.py');
      expect(f.revision).toBe('abc123');
    }
  });

  it.each(valid)('accepts: %s', async (_name, specs, options) => {
    expect(await findingsOf(RULE, specs, options)).toEqual([]);
  });
});
