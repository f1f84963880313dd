import { describe, expect, it } from 'vitest';
import { loadParser, parseSql, parseSqlAsync } from '../../../src/sql/parser.js';

describe('parser', () => {
  it('parses the statements that matter for migration safety', async () => {
    await loadParser();
    const sqls = [
      'ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID',
      'ALTER TABLE o VALIDATE CONSTRAINT fk',
      'ALTER TABLE o RENAME COLUMN a TO b',
      "ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok'",
      'ALTER TABLE o ALTER COLUMN a TYPE bigint USING a::bigint',
      'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON o USING gin (data jsonb_path_ops) WHERE a > 0',
      'ALTER TABLE o ADD CONSTRAINT uq UNIQUE USING INDEX ix',
    ];
    for (const sql of sqls) expect(parseSql(sql), sql).toMatchObject({ ok: true, statements: [{ text: sql }] });
  });

  it('splits several statements and keeps each text (also after multi-byte characters)', async () => {
    const out = await parseSqlAsync("COMMENT ON TABLE t IS 'Größe'; CREATE TABLE ü (a int);\n DROP TABLE x;");
    expect(out.ok && out.statements.map((s) => s.text)).toEqual([
      "COMMENT ON TABLE t IS 'Größe'",
      'CREATE TABLE ü (a int)',
      'DROP TABLE x',
    ]);
  });

  it('returns the error instead of throwing', async () => {
    expect(await parseSqlAsync('ALTER TABLE')).toMatchObject({ ok: false, error: expect.stringMatching(/syntax error/) });
    expect(await parseSqlAsync('   ')).toEqual({ ok: true, statements: [] });
  });

  it('parses at least 50 000 typical statements per second', async () => {
    await loadParser();
    const typical = [
      'ALTER TABLE orders ADD COLUMN note text',
      'CREATE INDEX CONCURRENTLY ix_orders_user_id ON orders (user_id)',
      "UPDATE users SET plan = 'free' WHERE plan IS NULL",
      'ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
    ];
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) parseSql(typical[i % typical.length] as string);
    const perSecond = n / ((performance.now() - t0) / 1000);
    expect(perSecond).toBeGreaterThan(50_000);
  });
});
