/**
 * Real PostgreSQL for tests: a local cluster (initdb + pg_ctl in a temp dir, see
 * src/database/local.ts) with one fresh database. Call dispose() in afterAll: it stops the
 * server and deletes its directory.
 *
 *   const pg = await startTestServer();
 *   // pg.url = postgresql://postgres:<pw>@127.0.0.1:<port>/migration_guard_<hex>
 *   afterAll(() => pg.dispose());
 */
import { acquireDatabase } from '../../src/database/index.js';
import { silentLogger } from '../../src/log.js';

export interface TestServer {
  /** URL of a fresh, empty database (with password). */
  url: string;
  /** e.g. 150014 */
  serverVersionNum: number;
  dispose(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const db = await acquireDatabase({ kind: 'local' }, { log: silentLogger });
  return { url: db.url, serverVersionNum: db.serverVersionNum, dispose: () => db.dispose() };
}
