/**
 * The throwaway PostgreSQL: one entry point over the three providers.
 *
 * startServer() is meant to be called early and awaited later (the pipeline overlaps server
 * startup with static analysis): it never blocks the event loop, and its promise is marked
 * handled so a failure surfaces only where it is awaited, never as an unhandled rejection.
 */
import type { DatabaseSpec } from '../config.js';
import { usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { startContainerServer } from './container.js';
import { findPostgresBinaries, startLocalServer } from './local.js';
import type { Database, DatabaseServer, MigrationRoleMode } from './types.js';
import { startUrlServer } from './url.js';

export type {
  CreateDatabaseOptions,
  Database,
  DatabaseServer,
  DatabaseProvider,
  MigrationRoleMode,
} from './types.js';
export { imageForSpec } from './container.js';
export { findPostgresBinaries } from './local.js';

export interface StartOptions {
  log: Logger;
}

export interface AcquireOptions extends StartOptions {
  migrationRole?: MigrationRoleMode;
}

export function startServer(spec: DatabaseSpec, opts: StartOptions): Promise<DatabaseServer> {
  const started = startServerNow(spec, opts);
  // Mark handled: the caller may await much later; the rejection still reaches that await.
  started.catch(() => {});
  return started;
}

async function startServerNow(spec: DatabaseSpec, { log }: StartOptions): Promise<DatabaseServer> {
  switch (spec.kind) {
    case 'url':
      return startUrlServer(spec.url, { log });
    case 'container':
      return startContainerServer(spec.image, { log });
    case 'local':
      return startLocalServer({ log });
    case 'auto': {
      const bins = await findPostgresBinaries();
      if (bins) {
        log.debug(`PostgreSQL ${bins.version} binaries found in ${bins.bindir}: using a local server`);
        return startLocalServer({ log });
      }
      log.debug('no local PostgreSQL binaries: using a container');
      return startContainerServer(spec.image, { log });
    }
    case 'none':
      throw usageError('no database configured: pass --database-url, --postgres-image or --local-postgres');
  }
}

/** A server plus one fresh database on it; disposing the database also stops the server. */
export function acquireDatabase(spec: DatabaseSpec, opts: AcquireOptions): Promise<Database> {
  const acquired = acquireNow(spec, opts);
  acquired.catch(() => {});
  return acquired;
}

async function acquireNow(spec: DatabaseSpec, opts: AcquireOptions): Promise<Database> {
  const server = await startServer(spec, opts);
  let db: Database;
  try {
    db = await server.createDatabase({ migrationRole: opts.migrationRole });
  } catch (e) {
    await server.dispose().catch(() => {});
    throw e;
  }
  let disposed: Promise<void> | null = null;
  const dispose = (): Promise<void> => {
    // The server drops what it created (URL) or goes away with it (container, local).
    disposed ??= server.dispose();
    return disposed;
  };
  return { ...db, dispose, [Symbol.asyncDispose]: dispose };
}
