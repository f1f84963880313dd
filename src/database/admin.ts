/**
 * The part every provider shares: given a way to reach a server as a user allowed to create
 * databases, create fresh `migration_guard_<hex>` databases and drop them again.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { infraError, maskSecrets } from '../errors.js';
import { registerCleanup } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { Database, DatabaseProvider, DatabaseServer } from './types.js';

export const DATABASE_NAME_PREFIX = 'migration_guard_';

export function randomDatabaseName(): string {
  return `${DATABASE_NAME_PREFIX}${randomBytes(6).toString('hex')}`;
}

/** Connection settings for the administrative connection (never the migrated database). */
export type AdminConnection = pg.ClientConfig;

export async function withClient<T>(
  config: AdminConnection,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionTimeoutMillis: 10_000, ...config });
  // A server that goes away mid-query emits 'error' on the client; the pending query rejects
  // anyway, so the event only needs a listener to not crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ServerVersion {
  serverVersion: string;
  serverVersionNum: number;
}

export async function queryServerVersion(client: pg.Client): Promise<ServerVersion> {
  const res = await client.query<{ v: string; n: string }>(
    "select current_setting('server_version') as v, current_setting('server_version_num') as n",
  );
  const row = res.rows[0];
  if (!row) throw new Error('server did not report its version');
  return { serverVersion: row.v.split(/\s/)[0] ?? row.v, serverVersionNum: Number(row.n) };
}

/** Double-quotes an identifier (our names are [a-z0-9_], but never trust that silently). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function dropDatabase(client: pg.Client, name: string, serverVersionNum: number): Promise<void> {
  if (serverVersionNum >= 130000) {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    return;
  }
  // Before 13 there is no FORCE: stop new connections, end the existing ones, then drop.
  await client.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS false`).catch(() => {});
  await client.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [name],
  );
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
}

export interface AdminServerOptions extends ServerVersion {
  provider: DatabaseProvider;
  admin: AdminConnection;
  /** The URL (with password) under which a database of this server is reachable. */
  urlFor(databaseName: string): string;
  /**
   * True when the server is ours (container, local cluster): stopping it discards every
   * database, so dispose skips the DROPs. False for a user's server (--database-url).
   */
  ownsServer: boolean;
  /** Stops what the provider started (container, cluster, temp dir). */
  stop(): Promise<void>;
  log: Logger;
  /** Describes the server in error messages: "PostgreSQL at host:port". */
  where: string;
}

/** A server we can create throwaway databases on. */
export class AdminServer implements DatabaseServer {
  readonly provider: DatabaseProvider;
  readonly serverVersion: string;
  readonly serverVersionNum: number;
  private readonly created = new Set<string>();
  private readonly creating = new Set<Promise<unknown>>();
  private disposing: Promise<void> | null = null;
  private readonly unregisterCleanup: () => void;

  constructor(private readonly options: AdminServerOptions) {
    this.provider = options.provider;
    this.serverVersion = options.serverVersion;
    this.serverVersionNum = options.serverVersionNum;
    // A signal (or the end of the run) disposes whatever is left, even if nobody awaits us.
    this.unregisterCleanup = registerCleanup(() => this.dispose());
  }

  async createDatabase(): Promise<Database> {
    if (this.disposing) throw new Error('database server already disposed');
    const name = randomDatabaseName();
    const { log, where } = this.options;
    // Known before CREATE runs so a dispose racing with it still drops it (DROP IF EXISTS).
    this.created.add(name);
    const creating = withClient(this.options.admin, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    this.creating.add(creating);
    try {
      await creating;
    } catch (e) {
      this.created.delete(name);
      const reason = maskSecrets(e instanceof Error ? e.message : String(e));
      const hint =
        (e as { code?: string }).code === '42501'
          ? 'grant the user CREATEDB or use a URL of a user that may create databases'
          : 'check the server and its permissions';
      throw infraError(`cannot create a database on ${where}: ${reason} (${hint})`, e);
    } finally {
      this.creating.delete(creating);
    }
    log.debug(`created database ${name} on ${where}`);
    const url = this.options.urlFor(name);
    let dropped: Promise<void> | null = null;
    const dispose = (): Promise<void> => {
      dropped ??= this.drop(name);
      return dropped;
    };
    return {
      url,
      maskedUrl: maskSecrets(url),
      name,
      serverVersion: this.serverVersion,
      serverVersionNum: this.serverVersionNum,
      provider: this.provider,
      dispose,
      [Symbol.asyncDispose]: dispose,
    };
  }

  private async drop(name: string): Promise<void> {
    if (!this.created.has(name)) return;
    // The whole server is about to go away (or already has): nothing to drop.
    if (this.disposing && this.options.ownsServer) return;
    await withClient(this.options.admin, (c) => dropDatabase(c, name, this.serverVersionNum));
    this.created.delete(name);
    this.options.log.debug(`dropped database ${name} on ${this.options.where}`);
  }

  dispose(): Promise<void> {
    this.disposing ??= this.disposeNow();
    return this.disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async disposeNow(): Promise<void> {
    this.unregisterCleanup();
    await Promise.allSettled([...this.creating]);
    const errors: unknown[] = [];
    if (!this.options.ownsServer) {
      for (const name of [...this.created]) {
        try {
          await withClient(this.options.admin, (c) => dropDatabase(c, name, this.serverVersionNum));
          this.created.delete(name);
          this.options.log.debug(`dropped database ${name} on ${this.options.where}`);
        } catch (e) {
          errors.push(e);
        }
      }
    }
    try {
      await this.options.stop();
    } catch (e) {
      errors.push(e);
    }
    if (errors.length > 0) {
      const first = errors[0];
      const reason = maskSecrets(first instanceof Error ? first.message : String(first));
      throw infraError(`cleanup of ${this.options.where} failed: ${reason}`, first);
    }
  }
}
