import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'exclusive-lock-held';

const invalid: LintCase[] = [
  [
    'lock held across a slow UPDATE',
    [
      {
        sql: 'ALTER TABLE users ADD COLUMN a int',
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
      {
        sql: 'UPDATE orders SET x = 1',
        durationMs: 4200,
        locks: [
          { relation: 'users', mode: 'AccessExclusiveLock' },
          { relation: 'orders', mode: 'RowExclusiveLock' },
        ],
      },
    ],
    {},
    { lines: [11], message: /"users" \(locked on line 10\) is held while this statement runs for 4\.2 s/ },
  ],
  [
    'custom threshold',
    [
      {
        sql: 'ALTER TABLE users ADD COLUMN a int',
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
      {
        sql: 'SELECT pg_sleep(0.3)',
        durationMs: 300,
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
    ],
    { slowStatementMs: 200 },
    { lines: [11], message: /300 ms/ },
  ],
  [
    'two slow statements',
    [
      { sql: 'DROP INDEX ix', locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }] },
      {
        sql: 'UPDATE a SET x = 1',
        durationMs: 2000,
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
      {
        sql: 'UPDATE b SET x = 1',
        durationMs: 3000,
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
    ],
    { settings: { 'require-concurrent-index-drop': 'off' } },
    { lines: [11, 12], message: /"users"/ },
  ],
];

const valid: LintCase[] = [
  [
    'slow statement took the lock itself',
    [
      {
        sql: 'ALTER TABLE users ALTER COLUMN a TYPE bigint',
        durationMs: 5000,
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'new transaction (locks released) before the slow statement',
    [
      {
        sql: 'ALTER TABLE users ADD COLUMN a int',
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
      {
        sql: 'UPDATE orders SET x = 1',
        durationMs: 4000,
        locks: [{ relation: 'orders', mode: 'RowExclusiveLock' }],
      },
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'lock on a table created in the same revision',
    [
      'CREATE TABLE t (a int)',
      { sql: 'ALTER TABLE t ADD COLUMN b int', locks: [{ relation: 't', mode: 'AccessExclusiveLock' }] },
      {
        sql: 'INSERT INTO t SELECT 1',
        durationMs: 9000,
        locks: [{ relation: 't', mode: 'AccessExclusiveLock' }],
      },
    ],
    {},
    { lines: [], message: /./ },
  ],
  [
    'autocommit slow statement',
    [
      {
        sql: 'ALTER TABLE users ADD COLUMN a int',
        locks: [{ relation: 'users', mode: 'AccessExclusiveLock' }],
      },
      { sql: 'CREATE INDEX CONCURRENTLY ix ON orders (a)', durationMs: 9000, inTransaction: false },
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
