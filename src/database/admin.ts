/**
 * The part every provider shares: given a way to reach a server as a user allowed to create
 * databases and roles, create fresh `migration_guard_<hex>` databases, each owned by a fresh
 * login role of the same name that is not a superuser (the pull request's code connects as
 * that role), and drop both again.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { infraError, maskSecrets } from '../errors.js';
import { registerCleanup } from '../lifecycle.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../secrets.js';
import type { AdminRights } from './roles.js';
import { createMigrationRole, createToolRole, quoteIdent, toolRoleName } from './roles.js';
import type {
  CreateDatabaseOptions,
  Database,
  DatabaseProvider,
  DatabaseServer,
  MigrationRoleMode,
} from './types.js';

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

export async function queryAdminRights(client: pg.Client): Promise<AdminRights> {
  const res = await client.query<{ u: string; s: boolean; d: boolean; r: boolean }>(
    'select rolname as u, rolsuper as s, rolcreatedb as d, rolcreaterole as r from pg_roles where rolname = current_user',
  );
  const row = res.rows[0];
  if (!row) throw new Error('current_user is not in pg_roles');
  return { user: row.u, superuser: row.s, createdb: row.d, createrole: row.r };
}

/**
 * The attributes the admin user lacks for `mode` ([] = enough): a restricted migration role
 * needs CREATEDB and CREATEROLE (or superuser); the superuser mode needs CREATEDB only.
 */
export function missingRights(rights: AdminRights, mode: MigrationRoleMode): string[] {
  if (rights.superuser) return [];
  const missing: string[] = [];
  if (!rights.createdb) missing.push('CREATEDB');
  if (mode === 'restricted' && !rights.createrole) missing.push('CREATEROLE');
  return missing;
}

/** A random password of [0-9a-f] (no quoting issues in SQL, URLs or DSNs). */
export function randomPassword(): string {
  return randomBytes(18).toString('hex');
}

/** Ends the role's sessions everywhere and drops it (what it owned went with its database). */
/**
 * Drops the migration role and what it still owns. On a cancelled run the empty template's own
 * cleanup drops the role's databases in another session at the same moment, and the catalog
 * rows both touch make either side fail with "tuple concurrently deleted" (or find the role
 * still owning a database that is being dropped): such a failure is retried after a pause, by
 * when the other drop has finished.
 */
export async function dropMigrationRole(
  client: Pick<pg.Client, 'query'>,
  role: string,
  pauseMs = 200,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dropMigrationRoleOnce(client, role);
      return;
    } catch (e) {
      if (attempt >= 5 || !racedWithConcurrentDrop(e)) throw e;
      await new Promise((r) => setTimeout(r, pauseMs * attempt));
    }
  }
}

function racedWithConcurrentDrop(e: unknown): boolean {
  const { code, message } = e as { code?: string; message?: string };
  return (code === 'XX000' && /concurrently (deleted|updated)/.test(message ?? '')) || code === '2BP01';
}

async function dropMigrationRoleOnce(client: Pick<pg.Client, 'query'>, role: string): Promise<void> {
  await client.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [role]);
  // Databases the role owns were all made by this run (it cannot create any itself): the empty
  // template and its copies of the populated round trip. Their own cleanups run concurrently
  // with this one, so drop what is left first, or DROP ROLE fails on them.
  const owned = await client.query<{ name: string }>(
    'select datname as name from pg_database where datdba = (select oid from pg_roles where rolname = $1)',
    [role],
  );
  if (owned.rows.length > 0) {
    const version = Number(
      (await client.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]?.v,
    );
    // The template's own cleanup may be dropping the same database at this moment ("tuple
    // concurrently deleted"): either way it is gone afterwards.
    for (const { name } of owned.rows) await dropDatabase(client, name, version).catch(() => undefined);
  }
  try {
    await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
  } catch (e) {
    // 2BP01: it still owns or was granted something in this (maintenance) database, e.g. a
    // migration that connected here on a server where PUBLIC may create in `public`.
    if ((e as { code?: string }).code !== '2BP01') throw e;
    await client.query(`DROP OWNED BY ${quoteIdent(role)} CASCADE`);
    await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
  }
}

/** Drops the tool's own role and the migration role (src/database/roles.ts). */
async function dropRoles(client: Pick<pg.Client, 'query'>, migrationRole: string): Promise<void> {
  await dropMigrationRole(client, toolRoleName(migrationRole));
  await dropMigrationRole(client, migrationRole);
}

export async function dropDatabase(
  client: Pick<pg.Client, 'query'>,
  name: string,
  serverVersionNum: number,
): Promise<void> {
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
  /**
   * The URL (with password) under which a database of this server is reachable: as the
   * admin user, or as `login` when given.
   */
  urlFor(databaseName: string, login?: { user: string; password: string }): string;
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
  /** Databases created (or being created) and the role that owns each (null: the admin user). */
  private readonly created = new Map<string, { role: string | null }>();
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

  async createDatabase(options: CreateDatabaseOptions = {}): Promise<Database> {
    if (this.disposing) throw new Error('database server already disposed');
    const mode: MigrationRoleMode = options.migrationRole ?? 'restricted';
    const name = randomDatabaseName();
    const { log, where } = this.options;
    // Known before CREATE runs so a dispose racing with it still drops it (DROP IF EXISTS).
    this.created.set(name, { role: mode === 'restricted' ? name : null });
    const password = randomPassword();
    const toolPassword = randomPassword();
    if (mode === 'restricted') {
      registerSecret(password);
      registerSecret(toolPassword);
    }
    const creating = withClient(this.options.admin, async (c) => {
      const rights = await queryAdminRights(c);
      const missing = missingRights(rights, mode);
      if (missing.length > 0) throw new MissingRightsError(rights.user, missing, mode);
      if (mode === 'restricted') {
        await createMigrationRole(c, name, password, rights);
        await createToolRole(c, name, toolPassword);
        await c.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(name)}`);
        // Only its role (and the admin user) may connect to it.
        await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
        // On a server we own, the migration role cannot reach the other databases either.
        if (this.options.ownsServer) {
          for (const other of ['postgres', 'template1'])
            await c.query(`REVOKE CONNECT ON DATABASE ${quoteIdent(other)} FROM PUBLIC`);
        }
      } else {
        await c.query(`CREATE DATABASE ${quoteIdent(name)}`);
      }
    });
    this.creating.add(creating);
    try {
      await creating;
    } catch (e) {
      // The role may exist without its database: drop it (best effort) before failing.
      if (mode === 'restricted' && !(e instanceof MissingRightsError))
        await withClient(this.options.admin, (c) => dropRoles(c, name)).catch(() => {});
      this.created.delete(name);
      if (e instanceof MissingRightsError)
        throw infraError(`cannot create a database on ${where}: ${e.message}`);
      const reason = maskSecrets(e instanceof Error ? e.message : String(e));
      const hint =
        (e as { code?: string }).code === '42501'
          ? mode === 'restricted'
            ? 'the database-url user needs CREATEDB and CREATEROLE, or superuser'
            : 'grant the user CREATEDB or use a URL of a user that may create databases'
          : 'check the server and its permissions';
      throw infraError(`cannot create a database on ${where}: ${reason} (${hint})`, e);
    } finally {
      this.creating.delete(creating);
    }
    log.debug(
      `created database ${name} on ${where}${mode === 'restricted' ? ` owned by login role ${name} (not a superuser)` : ' (migrations run as the admin user)'}`,
    );
    const url =
      mode === 'restricted' ? this.options.urlFor(name, { user: name, password }) : this.options.urlFor(name);
    let dropped: Promise<void> | null = null;
    const dispose = (): Promise<void> => {
      dropped ??= this.drop(name);
      return dropped;
    };
    return {
      url,
      sessionUrl:
        mode === 'restricted'
          ? this.options.urlFor(name, { user: toolRoleName(name), password: toolPassword })
          : url,
      maskedUrl: maskSecrets(url),
      adminUrl: this.options.urlFor(name),
      name,
      role: mode === 'restricted' ? name : null,
      migrationRole: mode,
      serverVersion: this.serverVersion,
      serverVersionNum: this.serverVersionNum,
      provider: this.provider,
      dispose,
      [Symbol.asyncDispose]: dispose,
    };
  }

  /** Drops the database (WITH (FORCE)) and then its role. */
  private async dropOne(name: string): Promise<void> {
    const entry = this.created.get(name);
    await withClient(this.options.admin, async (c) => {
      await dropDatabase(c, name, this.serverVersionNum);
      if (entry?.role) await dropRoles(c, entry.role);
    });
    this.created.delete(name);
    this.options.log.debug(
      `dropped database ${name}${entry?.role ? ' and its role' : ''} on ${this.options.where}`,
    );
  }

  private async drop(name: string): Promise<void> {
    if (!this.created.has(name)) return;
    // The whole server is about to go away (or already has): nothing to drop.
    if (this.disposing && this.options.ownsServer) return;
    await this.dropOne(name);
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
      for (const name of [...this.created.keys()]) {
        try {
          await this.dropOne(name);
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

/** The admin user lacks an attribute the run needs: says which and how to grant it. */
class MissingRightsError extends Error {
  constructor(user: string, missing: string[], mode: MigrationRoleMode) {
    const needs =
      mode === 'restricted'
        ? 'CREATEDB and CREATEROLE, or superuser, to create a throwaway database and a login role that is not a superuser for the migrations'
        : 'CREATEDB, or superuser, to create a throwaway database';
    super(
      `the database-url user "${user}" lacks ${missing.join(' and ')}: it needs ${needs} (ALTER ROLE ${quoteIdent(user)} ${missing.join(' ')})`,
    );
    this.name = 'MissingRightsError';
  }
}
