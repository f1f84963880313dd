/**
 * --database-url: someone else's server. We connect to the URL only to CREATE ROLE and
 * CREATE DATABASE migration_guard_<hex> and, at the end, to drop both; nothing runs inside the
 * URL's database. A URL without a database name uses the maintenance database `postgres`,
 * then `template1` (what createdb and the other PostgreSQL tools do).
 */
import { infraError, maskSecrets, usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../secrets.js';
import { AdminServer, queryServerVersion, withClient, type ServerVersion } from './admin.js';

const PG_SCHEMES = new Set(['postgres:', 'postgresql:']);

export interface ParsedServerUrl {
  url: URL;
  host: string;
  port: string;
  password: string;
  /** The URL's database; null when it names none (postgresql://u:p@host:5432). */
  database: string | null;
}

/** Where admin work goes when the URL names no database, in order. */
export const MAINTENANCE_DATABASES = ['postgres', 'template1'] as const;

/** Accepts postgres:// and postgresql:// (also SQLAlchemy's postgresql+driver://). */
export function parseServerUrl(raw: string): ParsedServerUrl {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw usageError(
      `database-url is not a URL: ${maskSecrets(raw)} (expected postgresql://user:pass@host:port/db)`,
    );
  }
  url.protocol = url.protocol.replace(/\+[a-z0-9]+:$/, ':');
  if (!PG_SCHEMES.has(url.protocol)) {
    throw usageError(`database-url must start with postgresql:// (got ${url.protocol}//)`);
  }
  if (url.protocol === 'postgres:') url.protocol = 'postgresql:';
  return {
    url,
    host: url.hostname || 'localhost',
    port: url.port || '5432',
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || null,
  };
}

/** The same server, another database (and, when given, another login). */
export function urlWithDatabase(
  url: URL,
  database: string,
  login?: { user: string; password: string },
): string {
  const out = new URL(url.href);
  out.pathname = `/${encodeURIComponent(database)}`;
  if (login) {
    out.username = encodeURIComponent(login.user);
    out.password = encodeURIComponent(login.password);
  }
  return out.href;
}

/** Removes the password (raw and URL-encoded) and anything URL-shaped with a password. */
function scrub(text: string, password: string): string {
  let out = maskSecrets(text);
  if (password) {
    for (const p of new Set([password, encodeURIComponent(password)])) out = out.split(p).join('***');
  }
  return out;
}

// Errors that retrying will not fix: wrong password/user, missing database, no permission.
const PERMANENT_CODES = new Set(['28P01', '28000', '3D000', '42501']);

export interface UrlServerOptions {
  log: Logger;
  /** Connection attempts before giving up (delays double from `firstDelayMs`). */
  attempts?: number;
  firstDelayMs?: number;
}

export async function startUrlServer(raw: string, options: UrlServerOptions): Promise<AdminServer> {
  const { log } = options;
  const parsed = parseServerUrl(raw);
  registerSecret(parsed.password);
  const where = `PostgreSQL at ${parsed.host}:${parsed.port}`;
  const databases = parsed.database !== null ? [parsed.database] : [...MAINTENANCE_DATABASES];
  let admin = { connectionString: urlWithDatabase(parsed.url, databases[0]!) };
  const attempts = options.attempts ?? 5;
  let delay = options.firstDelayMs ?? 200;
  let version: ServerVersion | null = null;
  for (let attempt = 1; version === null; attempt++) {
    try {
      version = await withClient(admin, queryServerVersion);
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      // No `postgres` database on this server: the next maintenance database, like createdb.
      if (code === '3D000' && databases.length > 1) {
        databases.shift();
        log.debug(
          `${where} has no database ${new URL(admin.connectionString).pathname.slice(1)}, trying ${databases[0]}`,
        );
        admin = { connectionString: urlWithDatabase(parsed.url, databases[0]!) };
        attempt--;
        continue;
      }
      const reason =
        scrub(e instanceof Error ? e.message : String(e), parsed.password) || code || 'unknown error';
      if (PERMANENT_CODES.has(code) || attempt >= attempts) {
        throw infraError(`cannot connect to ${where}: ${reason} (check database-url)`);
      }
      log.debug(`connecting to ${where} failed (${reason}), retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
  log.debug(`connected to ${where}, PostgreSQL ${version.serverVersion}`);
  return new AdminServer({
    provider: 'url',
    ...version,
    admin,
    urlFor: (db, login) => urlWithDatabase(parsed.url, db, login),
    ownsServer: false,
    stop: async () => {},
    log,
    where,
  });
}
