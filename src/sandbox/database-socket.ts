/**
 * The one way out of the sandbox's network namespace (README.md "Security", "The sandbox"):
 * the tool listens on a Unix socket named like PostgreSQL's own (`.s.PGSQL.<port>`) in a
 * private directory, bound into the sandbox at SANDBOX_SOCKET_DIR, and pipes each connection
 * to the throwaway database's real host and port over TCP. The code gets a URL that names the
 * directory instead of a host; libpq (psycopg2, psycopg 3) connects through the socket.
 */
import { chmod, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** Where the socket's directory appears inside the sandbox (and through the trixie wrapper, which binds /tmp). */
export const SANDBOX_SOCKET_DIR = '/tmp/.migration-guard-db';
/** The port in the socket's name and in the URL; only names the socket, nothing listens on it. */
export const SOCKET_PORT = 5432;

interface ParsedUrl {
  /** `postgresql+psycopg2://`, kept as given. */
  scheme: string;
  /** `user:password`, as written (still percent-encoded). */
  userinfo: string | null;
  host: string;
  port: number;
  /** `/dbname`, or empty. */
  path: string;
  /** The query's parameters in order, as written. */
  params: [string, string][];
}

/** sslmode values that insist on TLS, which a Unix socket cannot carry. */
const TLS_REQUIRED = new Set(['require', 'verify-ca', 'verify-full']);
/** Parameters that would send libpq somewhere else than the socket. */
const REPLACED = new Set(['host', 'hostaddr', 'port']);

function parse(url: string): ParsedUrl | null {
  // The userinfo runs up to the last `@` before the host (a password may hold an unencoded `@`).
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:(.*)@)?([^@/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/is.exec(url.trim());
  if (!m) return null;
  const [, scheme = '', userinfo, authority = '', dbPath = '', query = ''] = m;
  const hostPort = /^(\[[0-9a-f:.]+\]|[^:,[\]]+)(?::(\d+))?$/i.exec(authority);
  if (!hostPort) return null;
  const params = query
    .split('&')
    .filter((p) => p !== '')
    .map((p): [string, string] => {
      const at = p.indexOf('=');
      return at < 0 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
    });
  return {
    scheme,
    userinfo: userinfo ?? null,
    host: (hostPort[1] ?? '').replace(/^\[|\]$/g, ''),
    port: hostPort[2] ? Number(hostPort[2]) : 5432,
    path: dbPath,
    params,
  };
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Why `url` cannot go through the socket (TLS required, a host given as a socket or list, a
 * form this does not read), or null when it can.
 */
export function whyNotThroughSocket(url: string): string | null {
  const parsed = parse(url);
  if (!parsed || parsed.host === '') return 'the database URL names no single TCP host';
  for (const [name, value] of parsed.params) {
    const key = decoded(name);
    if (REPLACED.has(key)) return `the database URL sets ${key}= in its query`;
    if (key === 'sslmode' && TLS_REQUIRED.has(decoded(value)))
      return `the database URL requires TLS (sslmode=${decoded(value)}), which a Unix socket cannot carry`;
  }
  return null;
}

/** The TCP address `url` connects to, or null when it cannot go through the socket. */
export function tcpTarget(url: string): { host: string; port: number } | null {
  const parsed = whyNotThroughSocket(url) === null ? parse(url) : null;
  return parsed ? { host: parsed.host, port: parsed.port } : null;
}

/**
 * `url` with the host and port replaced by the socket directory: user, password, database,
 * driver prefix and the other query parameters (options=, application_name, ...) are kept.
 * `postgresql+psycopg2://u:pw@127.0.0.1:5433/db?options=x` becomes
 * `postgresql+psycopg2://u:pw@/db?options=x&host=/tmp/.migration-guard-db&port=5432`.
 */
export function socketUrl(url: string, dir = SANDBOX_SOCKET_DIR, port = SOCKET_PORT): string | null {
  const parsed = tcpTarget(url) ? parse(url) : null;
  if (!parsed) return null;
  const params = [...parsed.params.map(([k, v]) => `${k}=${v}`), `host=${dir}`, `port=${port}`];
  const userinfo = parsed.userinfo === null ? '' : `${parsed.userinfo}@`;
  return `${parsed.scheme}${userinfo}${parsed.path || '/'}?${params.join('&')}`;
}

export interface DatabaseSocket {
  /** The host directory holding the socket (bound at SANDBOX_SOCKET_DIR in the sandbox). */
  dir: string;
  /**
   * The URL the sandboxed code gets for `url`; the first one also sets where the socket leads.
   * Null when `url` cannot go through it (see whyNotThroughSocket, or another server).
   */
  urlFor: (url: string) => string | null;
  close: () => Promise<void>;
}

/**
 * Listens in `dir` (made here, searchable by the sandbox's uid) and forwards to the server of
 * the first URL given to urlFor; a connection before that is closed at once.
 */
export async function openDatabaseSocket(dir: string): Promise<DatabaseSocket> {
  await mkdir(dir, { mode: 0o711 });
  await chmod(dir, 0o711);
  let target: { host: string; port: number } | null = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inside) => {
    sockets.add(inside);
    inside.once('close', () => sockets.delete(inside));
    if (!target) {
      inside.destroy();
      return;
    }
    const outside = net.connect(target);
    sockets.add(outside);
    outside.once('close', () => sockets.delete(outside));
    // Either side ending or failing ends both: libpq sees the server's refusal as a closed connection.
    inside.on('error', () => outside.destroy());
    outside.on('error', () => inside.destroy());
    inside.pipe(outside);
    outside.pipe(inside);
  });
  const socketPath = path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // connect(2) on a socket needs write permission: the sandbox's uid is not ours.
  await chmod(socketPath, 0o777);
  let closed: Promise<void> | null = null;
  return {
    dir,
    urlFor(url) {
      const wanted = tcpTarget(url);
      if (!wanted) return null;
      target ??= wanted;
      if (target.host !== wanted.host || target.port !== wanted.port) return null;
      return socketUrl(url);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

/**
 * The socket for a sandbox with its own network, `env[database.env]` set to the code's URL:
 * null when the command needs no database; `shared` (why) when the database cannot go through
 * one, and the sandbox shares the host's network instead.
 */
export async function databaseSocket(
  dir: string,
  database: { url: string | null; env?: string } | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ socket: DatabaseSocket } | { shared: string } | null> {
  if (!database) return null;
  const why = database.url === null ? null : whyNotThroughSocket(database.url);
  if (why !== null) return { shared: why };
  try {
    const socket = await openDatabaseSocket(dir);
    const url = database.url === null ? null : socket.urlFor(database.url);
    if (database.env && url !== null) env[database.env] = url;
    return { socket };
  } catch (e) {
    return { shared: `no socket for the database: ${e instanceof Error ? e.message : String(e)}` };
  }
}
