import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'concurrent-index-in-transaction';

const invalid: LintCase[] = [
  [
    'CREATE INDEX CONCURRENTLY in a transaction',
    [{ sql: 'CREATE INDEX CONCURRENTLY ix ON orders (a)', inTransaction: true }],
    {},
    { lines: [10], message: /CREATE INDEX CONCURRENTLY ran inside/ },
  ],
  [
    'DROP INDEX CONCURRENTLY in a transaction',
    [{ sql: 'DROP INDEX CONCURRENTLY ix', inTransaction: true }],
    {},
    { lines: [10], message: /DROP INDEX CONCURRENTLY/ },
  ],
  [
    'rejected by the server',
    [
      {
        sql: 'CREATE INDEX CONCURRENTLY ix ON orders (a)',
        inTransaction: false,
        error: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
      },
    ],
    {},
    { lines: [10], message: /rejects/ },
  ],
  [
    'REINDEX CONCURRENTLY in a transaction',
    [{ sql: 'REINDEX INDEX CONCURRENTLY ix', inTransaction: true }],
    {},
    { lines: [10], message: /REINDEX CONCURRENTLY/ },
  ],
];

const valid: LintCase[] = [
  [
    'autocommit block',
    [{ sql: 'CREATE INDEX CONCURRENTLY ix ON orders (a)', inTransaction: false }],
    {},
    { lines: [], message: /./ },
  ],
  [
    'plain index in a transaction',
    [{ sql: 'CREATE INDEX ix ON t (a)', inTransaction: true }],
    { settings: { 'require-concurrent-index': 'off' } },
    { lines: [], message: /./ },
  ],
  [
    'drop concurrently in autocommit',
    [{ sql: 'DROP INDEX CONCURRENTLY ix', inTransaction: false }],
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
