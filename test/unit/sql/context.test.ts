import { describe, expect, it } from 'vitest';
import { buildContext, parseLockTimeout } from '../../../src/sql/rule-context.js';
import { loadParser, parseSql } from '../../../src/sql/parser.js';
import type { StatementSpec } from './lint-helper.js';
import { lint, statements } from './lint-helper.js';

async function context(specs: StatementSpec[]) {
  await loadParser();
  const executed = statements(specs);
  return buildContext(
    { revision: 'r1', file: 'f.py', source: null, serverVersionNum: 150014, statements: executed },
    executed.map((s) => parseSql(s.sql)),
  );
}

/** Rules that flag statements on EXISTING tables only. */
const EXISTING_TABLE_RULES = [
  'require-concurrent-index',
  'two-step-column-drop',
  'drop-table',
  'not-null-column-without-default',
  'set-not-null',
  'column-type-change',
  'foreign-key-not-valid',
  'check-constraint-not-valid',
  'unique-constraint-without-index',
  'rename-column',
  'rename-table',
  'volatile-default',
  'lock-timeout-missing',
  'mixed-data-and-schema',
];

describe('new tables of the revision', () => {
  const onNewTable = [
    'CREATE TABLE orders (id int PRIMARY KEY, user_id int, code varchar(10))',
    'CREATE INDEX ix_orders_user ON orders (user_id)',
    'ALTER TABLE orders ADD COLUMN total numeric NOT NULL',
    'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()',
    'ALTER TABLE orders ALTER COLUMN code SET NOT NULL',
    'ALTER TABLE orders ALTER COLUMN code TYPE int USING code::int',
    'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)',
    'ALTER TABLE orders ADD CONSTRAINT ck CHECK (total > 0)',
    'ALTER TABLE orders ADD CONSTRAINT uq UNIQUE (code)',
    'ALTER TABLE orders RENAME COLUMN code TO ref',
    'INSERT INTO orders (id, total) VALUES (1, 2)',
    'ALTER TABLE orders DROP COLUMN ref',
    'ALTER TABLE orders RENAME TO purchases',
    'CREATE INDEX ix_p ON purchases (user_id)',
    'DROP TABLE purchases',
  ];

  it('raises no existing-table finding for any statement on a table created earlier', async () => {
    const found = await lint(onNewTable, { serverVersionNum: 100021 });
    expect(found.filter((f) => EXISTING_TABLE_RULES.includes(f.finding.rule))).toEqual([]);
  });

  it('flags the same statements when the table existed before the revision and outlives it', async () => {
    const onExisting = [...onNewTable.slice(1, -1), 'DROP TABLE legacy'];
    const found = await lint(onExisting, { serverVersionNum: 150014 });
    const rules = new Set(found.map((f) => f.finding.rule));
    for (const id of EXISTING_TABLE_RULES) expect(rules, id).toContain(id);
  });

  it('raises only drop-table (and lock findings) when the revision drops the existing table at the end', async () => {
    const found = await lint(onNewTable.slice(1), { serverVersionNum: 150014 });
    const lockRules = ['lock-timeout-missing'];
    const existingTable = found.filter(
      (f) => EXISTING_TABLE_RULES.includes(f.finding.rule) && !lockRules.includes(f.finding.rule),
    );
    expect(existingTable.map((f) => [f.finding.rule, f.finding.line])).toEqual([['drop-table', 23]]);
  });

  it('treats a table as existing before its CREATE TABLE and after its DROP', async () => {
    const ctx = await context([
      'CREATE INDEX a ON t (x)',
      'CREATE TABLE t (x int)',
      'SELECT 1',
      'DROP TABLE t',
      'SELECT 2',
    ]);
    expect([0, 1, 2, 3, 4].map((seq) => ctx.isNewTable('t', seq))).toEqual([false, false, true, true, false]);
  });

  it('keeps schema names apart', async () => {
    const ctx = await context(['CREATE TABLE audit.orders (id int)', 'SELECT 1']);
    expect(ctx.isNewTable('audit.orders', 1)).toBe(true);
    expect(ctx.isNewTable('orders', 1)).toBe(false);
    const publicCtx = await context(['CREATE TABLE public.orders (id int)', 'SELECT 1']);
    expect(publicCtx.isNewTable('orders', 1)).toBe(true);
  });

  it('follows a new table through a rename', async () => {
    const ctx = await context(['CREATE TABLE tmp (id int)', 'ALTER TABLE tmp RENAME TO final', 'SELECT 1']);
    expect(ctx.isNewTable('final', 2)).toBe(true);
    expect(ctx.isNewTable('tmp', 2)).toBe(false);
  });
});

describe('statement context', () => {
  it('skips bookkeeping and transaction control, and splits multi-statement strings', async () => {
    const ctx = await context([
      { sql: 'BEGIN' },
      { sql: "UPDATE alembic_version SET version_num='x'", bookkeeping: true },
      { sql: 'CREATE TABLE a (id int); CREATE TABLE b (id int)' },
      { sql: 'COMMIT' },
    ]);
    expect(ctx.statements.map((s) => [s.kind, s.text, s.line])).toEqual([
      ['CreateStmt', 'CREATE TABLE a (id int)', 12],
      ['CreateStmt', 'CREATE TABLE b (id int)', 12],
    ]);
  });

  it('tracks lock_timeout from SET, SET LOCAL, RESET and set_config()', async () => {
    const ctx = await context([
      'SELECT 1',
      "SET lock_timeout = '5s'",
      'SELECT 2',
      'SET LOCAL lock_timeout TO 250',
      'SELECT 3',
      'RESET lock_timeout',
      "SELECT set_config('lock_timeout', '1min', false)",
      'SELECT 4',
    ]);
    expect(ctx.statements.map((s) => s.lockTimeoutMs)).toEqual([
      null,
      null,
      5000,
      5000,
      250,
      250,
      null,
      60000,
    ]);
  });

  it('parses PostgreSQL time settings', () => {
    expect(['100', '5s', '1.5 min', '2h', '0', 'abc'].map(parseLockTimeout)).toEqual([
      100,
      5000,
      90000,
      7200000,
      0,
      null,
    ]);
  });

  it('numbers transactions from inTransaction and from released locks', async () => {
    const lock = (relation: string) => ({ relation, mode: 'AccessExclusiveLock' });
    const ctx = await context([
      { sql: 'ALTER TABLE a ADD COLUMN x int', locks: [lock('a')] },
      { sql: 'ALTER TABLE b ADD COLUMN x int', locks: [lock('a'), lock('b')] },
      { sql: 'CREATE INDEX CONCURRENTLY i ON a (x)', inTransaction: false },
      { sql: 'ALTER TABLE c ADD COLUMN x int', locks: [lock('c')] },
      { sql: 'ALTER TABLE d ADD COLUMN x int', locks: [lock('d')] },
    ]);
    expect(ctx.statements.map((s) => s.transaction)).toEqual([1, 1, null, 2, 3]);
    expect(ctx.statements.map((s) => s.inTransaction)).toEqual([true, true, false, true, true]);
  });

  it('records data changes on existing tables only', async () => {
    const ctx = await context([
      'CREATE TABLE seed (a int)',
      'INSERT INTO seed VALUES (1)',
      'UPDATE users SET a = 1',
      'DELETE FROM orders',
      'SELECT * FROM users',
    ]);
    expect(ctx.dataChanges.map((s) => s.text)).toEqual(['UPDATE users SET a = 1', 'DELETE FROM orders']);
  });

  it('collects unparsable statements with their line', async () => {
    const ctx = await context(['SELECT 1', 'ALTER TABLE', 'SELECT 2']);
    expect(ctx.unparsable).toEqual([
      { text: 'ALTER TABLE', line: 11, error: expect.stringMatching(/syntax error/) },
    ]);
    expect(ctx.statements).toHaveLength(2);
  });

  it('knows indexes at the end of the revision', async () => {
    const ctx = await context([
      'CREATE TABLE t (id int PRIMARY KEY, a int, b int, UNIQUE (a, b))',
      'CREATE INDEX ix_b ON t (b)',
      'CREATE INDEX ix_tmp ON t (a)',
      'DROP INDEX ix_tmp',
    ]);
    expect(ctx.schema.indexesAtEnd('t').map((i) => i.columns)).toEqual([['id'], ['a', 'b'], ['b']]);
  });
});
