/**
 * Real PostgreSQL for tests: a local cluster (initdb + pg_ctl in a temp dir, see
 * src/database/local.ts) with one fresh database. Call dispose() in afterAll: it stops the
 * server and deletes its directory.
 *
 *   const pg = await startTestServer();
 *   // pg.url = postgresql://postgres:<pw>@127.0.0.1:<port>/migration_guard_<hex>
 *
 * `url` is the superuser's (it plays a --database-url server, or the admin in fixtures); the
 * migrations in tests connect through a fresh least-privileged role (freshDatabase in
 * test/integration/roundtrip/fixtures.ts), as they do in a real run.
 *   afterAll(() => pg.dispose());
 *
 * MIGRATION_GUARD_TEST_PG_MAJOR=N runs the servers on PostgreSQL N (this machine's binaries of
 * that major, else the build the local provider fetches once into its cache): vitest.config.ts
 * runs the round-trip tests that way on several majors. Unset: this machine's binaries.
 */
import { acquireDatabase } from '../../src/database/index.js';
import { silentLogger } from '../../src/log.js';

export interface TestServer {
  /** URL of a fresh, empty database (with password), as the superuser `postgres`. */
  url: string;
  /** e.g. 150014 */
  serverVersionNum: number;
  dispose(): Promise<void>;
}

/** The major of MIGRATION_GUARD_TEST_PG_MAJOR, null when unset. */
export function testPostgresMajor(): number | null {
  const value = process.env.MIGRATION_GUARD_TEST_PG_MAJOR;
  if (!value) return null;
  const major = Number(value);
  if (!Number.isInteger(major))
    throw new Error(`MIGRATION_GUARD_TEST_PG_MAJOR must be a major (got "${value}")`);
  return major;
}

export async function startTestServer(): Promise<TestServer> {
  const db = await acquireDatabase(
    { kind: 'local' },
    { log: silentLogger, migrationRole: 'superuser', postgresVersion: testPostgresMajor() },
  );
  const major = testPostgresMajor();
  if (major !== null && Math.floor(db.serverVersionNum / 10_000) !== major) {
    await db.dispose();
    throw new Error(`asked for PostgreSQL ${major}, got ${db.serverVersion}`);
  }
  return { url: db.url, serverVersionNum: db.serverVersionNum, dispose: () => db.dispose() };
}
