/**
 * An empty copy of the database right after the base upgrade, before any row is seeded: when a
 * revision fails on the populated tables, the same revision runs on a copy of this template to
 * tell "fails because of the data" from "fails anyway". CREATE DATABASE … TEMPLATE copies the
 * files on the server (no migration runs twice); a copy is only made when a failure needs it.
 *
 * The migrations' own role may not create databases, so this uses the admin connection of the
 * same database (--database-url's user, or the superuser of a server we started); the copies
 * are owned by the migrations' role, like the database they copy.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { registerCleanup } from '../lifecycle.js';
import { quoteIdent } from '../seed/catalog.js';

/** Names the admin session, so a reset between revisions leaves it alone. */
export const ADMIN_APPLICATION_NAME = 'migration-guard admin';

export class EmptyTemplate {
  private readonly unregister: () => void;

  private constructor(
    private readonly admin: pg.Client,
    readonly name: string,
    private readonly databaseUrl: string,
    private readonly owner: string,
  ) {
    // An interrupted run still drops it (on a user's server it would otherwise stay).
    this.unregister = registerCleanup(() => this.drop());
  }

  /**
   * Copies the database of `adminUrl`. No other session may be connected to it meanwhile (the
   * caller closes its own; the driver's engine disconnects after each command); null when the
   * server refuses (no right to create databases, a session still connected).
   */
  static async create(adminUrl: string, databaseUrl: string, owner: string): Promise<EmptyTemplate | null> {
    const admin = new pg.Client({ connectionString: adminUrl, application_name: ADMIN_APPLICATION_NAME });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      const current = (await admin.query<{ name: string }>('select current_database() as name')).rows[0]
        ?.name;
      if (!current) throw new Error('no current database');
      const name = `${current.slice(0, 40)}_e${randomBytes(3).toString('hex')}`;
      await admin.query(
        `create database ${quoteIdent(name)} template ${quoteIdent(current)} owner ${quoteIdent(owner)}`,
      );
      return new EmptyTemplate(admin, name, databaseUrl, owner);
    } catch {
      await admin.end().catch(() => undefined);
      return null;
    }
  }

  /** A fresh copy of the template; `fn` gets its URL (the migrations' role), dropped afterwards. */
  async withCopy<T>(fn: (url: string) => Promise<T>): Promise<T> {
    const copy = `${this.name.slice(0, 50)}_c${randomBytes(3).toString('hex')}`;
    await this.admin.query(
      `create database ${quoteIdent(copy)} template ${quoteIdent(this.name)} owner ${quoteIdent(this.owner)}`,
    );
    try {
      return await fn(urlWithDatabase(this.databaseUrl, copy));
    } finally {
      await dropDatabase(this.admin, copy).catch(() => undefined);
    }
  }

  async drop(): Promise<void> {
    this.unregister();
    await dropDatabase(this.admin, this.name).catch(() => undefined);
    await this.admin.end().catch(() => undefined);
  }
}

async function dropDatabase(db: pg.Client, name: string): Promise<void> {
  const version = Number(
    (await db.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]?.v,
  );
  if (version >= 130000) await db.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  else {
    await db.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    await db.query(`drop database if exists ${quoteIdent(name)}`);
  }
}

export function urlWithDatabase(url: string, database: string): string {
  const out = new URL(url);
  out.pathname = `/${encodeURIComponent(database)}`;
  return out.toString();
}
