/**
 * The throwaway PostgreSQL: one entry point over the three providers.
 *
 * startServer() is meant to be called early and awaited later (the pipeline overlaps server
 * startup with static analysis): it never blocks the event loop, and its promise is marked
 * handled so a failure surfaces only where it is awaited, never as an unhandled rejection.
 */
import type { DatabaseSpec } from '../config.js';
import { DEFAULT_POSTGRES_MAJOR } from '../config.js';
import { infraError, usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { startContainerServer } from './container.js';
import { findPostgresBinaries, localBinaries, startLocalServer } from './local.js';
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
  /**
   * The production major (postgres-version): the local provider runs that major, the default
   * image becomes postgres:<N>-alpine, and any other server's major is checked against it.
   */
  postgresVersion?: number | null;
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

async function startServerNow(spec: DatabaseSpec, opts: StartOptions): Promise<DatabaseServer> {
  const server = await startProvider(spec, opts);
  const wanted = opts.postgresVersion ?? null;
  const actual = Math.floor(server.serverVersionNum / 10_000);
  if (wanted !== null && actual !== wanted) {
    opts.log.warning(
      `postgres-version is ${wanted} but the ${server.provider} server runs PostgreSQL ${server.serverVersion}: the round trip and the version-aware rules follow the server (${actual})`,
    );
  }
  return server;
}

/** The image a container spec runs: the default image follows postgres-version. */
export function containerImage(
  spec: { image: string; versionedImage?: boolean },
  major: number | null,
): string {
  return spec.versionedImage && major !== null ? `postgres:${major}-alpine` : spec.image;
}

async function startProvider(
  spec: DatabaseSpec,
  { log, postgresVersion }: StartOptions,
): Promise<DatabaseServer> {
  const major = postgresVersion ?? null;
  switch (spec.kind) {
    case 'url':
      return startUrlServer(spec.url, { log });
    case 'container':
      return startContainerServer(containerImage(spec, major), { log });
    case 'local':
      return startLocalServer({ log, binaries: await localBinaries(major, DEFAULT_POSTGRES_MAJOR, log) });
    case 'auto': {
      // This machine's binaries, else a cached or fetched build, else Docker.
      const onMachine = await findPostgresBinaries(major);
      if (onMachine) {
        log.debug(
          `PostgreSQL ${onMachine.version} binaries found in ${onMachine.bindir}: using a local server`,
        );
        return startLocalServer({ log, binaries: onMachine });
      }
      let binaries;
      try {
        binaries = await localBinaries(major, DEFAULT_POSTGRES_MAJOR, log);
      } catch (buildError) {
        log.debug(`no usable PostgreSQL build (${(buildError as Error).message}): using a container`);
        return startContainerServer(containerImage(spec, major), { log }).catch((e: unknown) => {
          throw infraError(`${(e as Error).message}; a PostgreSQL build could not be installed either`, e);
        });
      }
      return startLocalServer({ log, binaries });
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
