/**
 * The version-aware rules against real servers of each major whose behaviour they tell apart
 * (13, 16, 17, 18: this machine's or the builds the local provider fetches). For each rule the
 * server shows what happens — does the statement exist, does it rewrite the table (a new
 * relfilenode), does it scan (PostgreSQL's own DEBUG1 message) — and the rule, given that
 * server's version, must flag the dangerous cases and leave the harmless ones. The version each
 * rule assumes is named in its doc (rules/<id>.md, "PostgreSQL versions"). One gap is pinned
 * as it is: on 18 the rule leaves SET EXPRESSION alone although a STORED column is rewritten
 * (it cannot tell a stored column from a virtual one there).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DatabaseServer } from '../../../src/database/index.js';
import { silentLogger } from '../../../src/log.js';
import { findingsOf } from '../../unit/sql/lint-helper.js';

const MAJORS = [13, 16, 17, 18];

describe.each(MAJORS)('on PostgreSQL %i', (major) => {
  let server: DatabaseServer;
  let client: pg.Client;
  let versionNum = 0;
  let dispose: () => Promise<void> = async () => {};
  const notices: string[] = [];

  beforeAll(async () => {
    server = await startServer({ kind: 'local' }, { log: silentLogger, postgresVersion: major });
    const db = await server.createDatabase({ migrationRole: 'superuser' });
    dispose = () => db.dispose();
    versionNum = db.serverVersionNum;
    client = new pg.Client({ connectionString: db.adminUrl });
    client.on('notice', (n) => notices.push(n.message ?? ''));
    await client.connect();
  }, 300_000);
  afterAll(async () => {
    await client?.end();
    await dispose();
    await server?.dispose();
  });

  /** Runs `sql`; its error message, or null when it succeeded. */
  const attempt = async (sql: string): Promise<string | null> =>
    client.query(sql).then(
      () => null,
      (e: Error) => e.message,
    );
  const filenode = async (table: string): Promise<number> =>
    Number((await client.query<{ n: string }>(`select pg_relation_filenode('${table}') as n`)).rows[0]?.n);
  /** Whether `sql` gave `table` a new relfilenode: PostgreSQL rewrote it. */
  const rewrites = async (table: string, sql: string): Promise<boolean> => {
    const before = await filenode(table);
    const error = await attempt(sql);
    if (error) throw new Error(`${sql}: ${error}`);
    return (await filenode(table)) !== before;
  };
  const flagged = async (rule: string, sql: string[]) =>
    (await findingsOf(rule, sql, { serverVersionNum: versionNum })).length > 0;

  it('is that major', () => {
    expect(Math.floor(versionNum / 10_000)).toBe(major);
  });

  it('reindex-without-concurrently: REINDEX … CONCURRENTLY exists (12+), so the finding does not say otherwise', async () => {
    await client.query('create table ri (id int); create index ri_id on ri (id)');
    expect(await attempt('reindex index concurrently ri_id')).toBeNull();
    const [found] = await findingsOf('reindex-without-concurrently', ['REINDEX INDEX ri_id'], {
      serverVersionNum: versionNum,
    });
    expect(found?.finding.help ?? '').not.toMatch(/older than PostgreSQL 12/);
  });

  it('set-not-null: a validated CHECK (col IS NOT NULL) spares the scan (12+), and the rule then stays quiet', async () => {
    await client.query(
      'create table sn (id int, email text); insert into sn select g, g::text from generate_series(1, 50) g',
    );
    await client.query('alter table sn add constraint sn_email_nn check (email is not null) not valid');
    await client.query('alter table sn validate constraint sn_email_nn');
    notices.length = 0;
    await client.query("set client_min_messages = 'debug1'");
    await client.query('alter table sn alter column email set not null');
    await client.query('reset client_min_messages');
    expect(notices.join('\n')).toMatch(
      /existing constraints on column "sn.email" are sufficient to prove that it does not contain nulls/,
    );
    expect(
      await flagged('set-not-null', [
        'ALTER TABLE sn ADD CONSTRAINT sn_email_nn CHECK (email IS NOT NULL) NOT VALID',
        'ALTER TABLE sn VALIDATE CONSTRAINT sn_email_nn',
        'ALTER TABLE sn ALTER COLUMN email SET NOT NULL',
      ]),
    ).toBe(false);
    // Without the check the server scans, and the rule flags it.
    await client.query('create table sn2 (id int, email text); insert into sn2 values (1, 1)');
    notices.length = 0;
    await client.query("set client_min_messages = 'debug1'");
    await client.query('alter table sn2 alter column email set not null');
    await client.query('reset client_min_messages');
    expect(notices.join('\n')).not.toMatch(/sufficient to prove/);
    expect(await flagged('set-not-null', ['ALTER TABLE sn2 ALTER COLUMN email SET NOT NULL'])).toBe(true);
  });

  it('set-not-null: NOT NULL constraints can be added NOT VALID from 18 (no scan), and the rule points there', async () => {
    await client.query('create table nv (id int, email text); insert into nv values (1, null)');
    await client.query('create table nv2 (id int, email text); insert into nv2 values (1, null)');
    const notValid = 'ALTER TABLE nv ADD CONSTRAINT nv_email_nn NOT NULL email NOT VALID';
    const validated = 'ALTER TABLE nv2 ADD CONSTRAINT nv2_email_nn NOT NULL email';
    if (major < 18) {
      expect(await attempt(notValid)).toMatch(/syntax error/);
      return;
    }
    // The NULL row proves what is scanned: NOT VALID is accepted without looking, the
    // immediate form and VALIDATE read every row.
    expect(await attempt(notValid)).toBeNull();
    expect(await attempt('ALTER TABLE nv VALIDATE CONSTRAINT nv_email_nn')).toMatch(/contains null values/);
    expect(await attempt(validated)).toMatch(/contains null values/);
    expect(await flagged('set-not-null', [notValid])).toBe(false);
    const [found] = await findingsOf('set-not-null', [validated], { serverVersionNum: versionNum });
    expect(found?.finding.help).toMatch(/NOT NULL email NOT VALID \(PostgreSQL 18: no scan\)/);
  });

  it('volatile-default: a stable default is stored without a rewrite (11+), a volatile one rewrites', async () => {
    await client.query('create table vd (id int); insert into vd select generate_series(1, 50)');
    const stable = 'ALTER TABLE vd ADD COLUMN created_at timestamptz DEFAULT now()';
    const volatile = 'ALTER TABLE vd ADD COLUMN token uuid DEFAULT gen_random_uuid()';
    expect(await rewrites('vd', stable)).toBe(false);
    expect(await flagged('volatile-default', [stable])).toBe(false);
    expect(await rewrites('vd', volatile)).toBe(true);
    expect(await flagged('volatile-default', [volatile])).toBe(true);
  });

  it('generated-column-rewrite: STORED rewrites everywhere; VIRTUAL (18) adds without one, and is a syntax error before', async () => {
    await client.query(
      'create table gc (price int, qty int); insert into gc select g, g from generate_series(1, 50) g',
    );
    const stored = 'ALTER TABLE gc ADD COLUMN total_s int GENERATED ALWAYS AS (price * qty) STORED';
    expect(await rewrites('gc', stored)).toBe(true);
    expect(await flagged('generated-column-rewrite', [stored])).toBe(true);
    const virtual = 'ALTER TABLE gc ADD COLUMN total_v int GENERATED ALWAYS AS (price * qty)';
    if (major >= 18) {
      expect(await rewrites('gc', virtual)).toBe(false);
      expect(await flagged('generated-column-rewrite', [virtual])).toBe(false);
    } else {
      expect(await attempt(virtual)).toMatch(/syntax error/);
    }
  });

  it('generated-column-rewrite: SET EXPRESSION (17+) rewrites a stored column; on 18 the rule leaves it (the column may be virtual)', async () => {
    await client.query(
      'create table se (price int, total int generated always as (price * 2) stored); insert into se select generate_series(1, 50)',
    );
    const setExpression = 'ALTER TABLE se ALTER COLUMN total SET EXPRESSION AS (price * 3)';
    if (major < 17) {
      expect(await attempt(setExpression)).toMatch(/syntax error/);
      return;
    }
    expect(await rewrites('se', setExpression)).toBe(true);
    expect(await flagged('generated-column-rewrite', [setExpression])).toBe(major < 18);
    if (major >= 18) {
      await client.query(
        'create table sev (price int, total int generated always as (price * 2) virtual); insert into sev select generate_series(1, 50)',
      );
      expect(await rewrites('sev', 'ALTER TABLE sev ALTER COLUMN total SET EXPRESSION AS (price * 3)')).toBe(
        false,
      );
    }
  });
});
