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

export async function startTestServer(): Promise<TestServer> {
  const db = await acquireDatabase({ kind: 'local' }, { log: silentLogger, migrationRole: 'superuser' });
  return { url: db.url, serverVersionNum: db.serverVersionNum, dispose: () => db.dispose() };
}
