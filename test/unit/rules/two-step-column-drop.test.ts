import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';
import type { LintCase } from '../sql/lint-cases.js';

const RULE = 'two-step-column-drop';

const invalid: LintCase[] = [
  [
    'no --base: the models at HEAD still map the column, and the message says whose models',
    ['ALTER TABLE users DROP COLUMN nickname'],
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
      message:
        /which the models at HEAD still map \(commit fedcba987654; no --base, so HEAD's models were read\)/,
    },
  ],
  [
    'DROP COLUMN',
    ['ALTER TABLE users DROP COLUMN nickname'],
    {},
    { lines: [10], message: /"nickname" on existing table "users"/ },
  ],
  [
    'two columns in one statement',
    ['ALTER TABLE users DROP COLUMN a, DROP COLUMN b'],
    {},
    { lines: [10, 10], message: /DROP COLUMN/ },
  ],
  [
    'IF EXISTS CASCADE',
    ['ALTER TABLE users DROP COLUMN IF EXISTS a CASCADE'],
    {},
    { lines: [10], message: /"a"/ },
  ],
  [
    'models unknown: says so, the error stands',
    ['ALTER TABLE users DROP COLUMN nickname'],
    { baseModels: { known: false, reason: 'env.py passes no target_metadata to context.configure' } },
    {
      lines: [10],
      message:
        /cannot tell whether the application deployed from the base branch still maps it \(env\.py passes no target_metadata/,
    },
  ],
  [
    'column still mapped by the base branch models',
    ['ALTER TABLE users DROP COLUMN nickname'],
    {
      baseModels: {
        known: true,
        commit: '0123456789abcdef',
        tables: { users: ['id', 'nickname'], legacy_orders: ['id'], 'crm.notes': ['id'] },
      },
    },
    { lines: [10], message: /which the base branch's models still map \(commit 0123456789ab\)/ },
  ],
];

const valid: LintCase[] = [
  [
    'no --base (an audit): the models at HEAD no longer map the column',
    ['ALTER TABLE users DROP COLUMN email'],
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
    'column of a table created in the revision',
    ['CREATE TABLE t (a int, b int)', 'ALTER TABLE t DROP COLUMN b'],
    {},
    { lines: [], message: /./ },
  ],
  ['adding a column', ['ALTER TABLE users ADD COLUMN a int'], {}, { lines: [], message: /./ }],
  [
    'step two: the base models no longer map the column',
    ['ALTER TABLE users DROP COLUMN email'],
    {
      baseModels: {
        known: true,
        commit: '0123456789abcdef',
        tables: { users: ['id', 'nickname'], legacy_orders: ['id'], 'crm.notes': ['id'] },
      },
    },
    { lines: [], message: /./ },
  ],
  [
    'step two: the base models no longer map the table',
    ['ALTER TABLE audit DROP COLUMN payload'],
    {
      baseModels: {
        known: true,
        commit: '0123456789abcdef',
        tables: { users: ['id', 'nickname'], legacy_orders: ['id'], 'crm.notes': ['id'] },
      },
    },
    { lines: [], message: /./ },
  ],
  [
    'a table the revision drops later (drop-table judges it)',
    ['ALTER TABLE users DROP COLUMN nickname', 'DROP TABLE users'],
    { settings: { 'drop-table': 'off' } },
    { lines: [], message: /./ },
  ],
  [
    'dropping a constraint',
    ['ALTER TABLE users DROP CONSTRAINT users_a_check'],
    {},
    { lines: [], message: /./ },
  ],
];

describe(RULE, () => {
  it('shows the inline ignore for the second step in the fix text when the models are unknown', async () => {
    const [found] = await findingsOf(RULE, ['ALTER TABLE users DROP COLUMN nickname']);
    expect(found?.finding.severity).toBe('error');
    expect(found?.finding.help).toContain(
      '# migration-guard: ignore two-step-column-drop -- <what stopped using it, and since which release>\n    op.drop_column("users", "nickname")',
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
