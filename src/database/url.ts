/**
 * --database-url: someone else's server. We connect to the URL only to CREATE DATABASE
 * migration_guard_<hex> and, at the end, to drop it; nothing runs inside the URL's database.
 */
import { infraError, maskSecrets, usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { AdminServer, queryServerVersion, withClient, type ServerVersion } from './admin.js';

const PG_SCHEMES = new Set(['postgres:', 'postgresql:']);

export interface ParsedServerUrl {
  url: URL;
  host: string;
  port: string;
  password: string;
}

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
  };
}

/** The same server and credentials, another database. */
export function urlWithDatabase(url: URL, database: string): string {
  const out = new URL(url.href);
  out.pathname = `/${database}`;
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
  const where = `PostgreSQL at ${parsed.host}:${parsed.port}`;
  const admin = { connectionString: parsed.url.href };
  const attempts = options.attempts ?? 5;
  let delay = options.firstDelayMs ?? 200;
  let version: ServerVersion | null = null;
  for (let attempt = 1; version === null; attempt++) {
    try {
      version = await withClient(admin, queryServerVersion);
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
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
    urlFor: (db) => urlWithDatabase(parsed.url, db),
    ownsServer: false,
    stop: async () => {},
    log,
    where,
  });
}
