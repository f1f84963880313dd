import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'drop-table';

const invalid: LintCase[] = [
  [
    'no --base: the models at HEAD still map the table, and the message says whose models',
    ['DROP TABLE newsletter'],
    {
      baseModels: {
        known: true,
        source: 'head',
        commit: 'fedcba9876543210',
        tables: { users: ['id', 'nickname'], newsletter: ['id'] },
      },
    },
    {
      lines: [10],
      message: /DROP TABLE "newsletter", which the models at HEAD still map \(commit fedcba987654; no --base/,
    },
  ],
  ['DROP TABLE', ['DROP TABLE legacy_orders'], {}, { lines: [10], message: /"legacy_orders"/ }],
  [
    'DROP TABLE IF EXISTS two tables',
    ['DROP TABLE IF EXISTS a, b CASCADE'],
    {},
    { lines: [10, 10], message: /DROP TABLE/ },
  ],
  [
    'table created earlier in the revision under another name',
    ['CREATE TABLE x (id int)', 'DROP TABLE y'],
    {},
    { lines: [11], message: /"y"/ },
  ],
  [
    'table still mapped by the base branch models (schema-qualified)',
    ['DROP TABLE legacy_orders', 'DROP TABLE crm.notes'],
    {
      baseModels: {
        known: true,
        commit: '0123456789abcdef',
        tables: { users: ['id', 'nickname'], legacy_orders: ['id'], 'crm.notes': ['id'] },
      },
    },
    { lines: [10, 11], message: /which the base branch's models still map \(commit 0123456789ab\)/ },
  ],
  [
    'models unknown',
    ['DROP TABLE legacy_orders'],
    { baseModels: { known: false, reason: 'env.py failed on the base commit: ModuleNotFoundError' } },
    { lines: [10], message: /cannot tell .*\(env\.py failed on the base commit: ModuleNotFoundError\)/ },
  ],
];

const valid: LintCase[] = [
  [
    'no --base (an audit): the models at HEAD no longer map the table',
    ['DROP TABLE legacy_orders'],
    {
      baseModels: {
        known: true,
        source: 'head',
        commit: 'fedcba9876543210',
        tables: { users: ['id', 'nickname'], newsletter: ['id'] },
      },
    },
    { lines: [], message: /./ },
  ],
  [
    'table created in the same revision',
    ['CREATE TABLE tmp (id int)', 'DROP TABLE tmp'],
    {},
    { lines: [], message: /./ },
  ],
  [
    'DROP INDEX is not DROP TABLE',
    [{ sql: 'DROP INDEX CONCURRENTLY ix', inTransaction: false }],
    {},
    { lines: [], message: /./ },
  ],
  ['DROP VIEW', ['DROP VIEW v'], {}, { lines: [], message: /./ }],
  [
    'step two: the base models no longer map the table',
    ['DROP TABLE newsletter'],
    {
      baseModels: {
        known: true,
        commit: '0123456789abcdef',
        tables: { users: ['id', 'nickname'], legacy_orders: ['id'], 'crm.notes': ['id'] },
      },
    },
    { lines: [], message: /./ },
  ],
];

describe(RULE, () => {
  it('shows the inline ignore for the second step in the fix text when the models are unknown', async () => {
    const [found] = await findingsOf(RULE, ['DROP TABLE legacy_orders']);
    expect(found?.finding.severity).toBe('error');
    expect(found?.finding.help).toContain(
      '# migration-guard: ignore drop-table -- <what stopped using it, and since which release>\n    op.drop_table("legacy_orders")',
    );
  });

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
