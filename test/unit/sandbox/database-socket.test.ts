/**
 * The sandbox's one way to the database (src/sandbox/database-socket.ts): the URL the code gets
 * names the socket's directory and keeps everything else; a URL that needs TLS or names no
 * single TCP host does not go through it; the socket pipes bytes to the real server both ways
 * and leads nowhere before it knows where; and masking still hides the password in the new form.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskSecrets } from '../../../src/errors.js';
import {
  openDatabaseSocket,
  socketUrl,
  tcpTarget,
  whyNotThroughSocket,
} from '../../../src/sandbox/database-socket.js';
import { registerSecret } from '../../../src/secrets.js';

const base = mkdtempSync(path.join(tmpdir(), 'mg-db-socket-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('socketUrl', () => {
  it('replaces host and port by the socket directory, keeping driver, user, password and database', () => {
    expect(socketUrl('postgresql+psycopg2://migration_guard_ab:s3cret@127.0.0.1:54321/mg_x')).toBe(
      'postgresql+psycopg2://migration_guard_ab:s3cret@/mg_x?host=/tmp/.migration-guard-db&port=5432',
    );
    expect(socketUrl('postgresql+psycopg://u:p@localhost/db')).toBe(
      'postgresql+psycopg://u:p@/db?host=/tmp/.migration-guard-db&port=5432',
    );
  });

  it('keeps the query parameters that matter (options, application_name, a harmless sslmode)', () => {
    expect(
      socketUrl(
        'postgresql://u:p@db.internal:6543/app?options=-c%20search_path%3Dx&application_name=mg&sslmode=prefer',
      ),
    ).toBe(
      'postgresql://u:p@/app?options=-c%20search_path%3Dx&application_name=mg&sslmode=prefer&host=/tmp/.migration-guard-db&port=5432',
    );
  });

  it('keeps a password with an unencoded @ or percent-encoding as written', () => {
    expect(socketUrl('postgresql://u:p@ss%2Fw@[::1]:5433/db')).toBe(
      'postgresql://u:p@ss%2Fw@/db?host=/tmp/.migration-guard-db&port=5432',
    );
    expect(tcpTarget('postgresql://u:p@ss%2Fw@[::1]:5433/db')).toEqual({ host: '::1', port: 5433 });
    expect(tcpTarget('postgresql://u@10.0.0.5/db')).toEqual({ host: '10.0.0.5', port: 5432 });
  });

  it('refuses what a Unix socket cannot carry or what names no single TCP host', () => {
    expect(whyNotThroughSocket('postgresql://u:p@h:5432/db?sslmode=require')).toMatch(
      /TLS \(sslmode=require\)/,
    );
    expect(whyNotThroughSocket('postgresql://u:p@h/db?sslmode=verify-full')).toMatch(/TLS/);
    expect(whyNotThroughSocket('postgresql://u:p@/db?host=/var/run/postgresql')).toMatch(
      /no single TCP host/,
    );
    expect(whyNotThroughSocket('postgresql://u:p@h/db?host=/var/run/postgresql')).toMatch(/host=/);
    expect(whyNotThroughSocket('postgresql://u:p@h1:5432,h2:5432/db')).toMatch(/no single TCP host/);
    expect(socketUrl('postgresql://u:p@h/db?sslmode=verify-ca')).toBeNull();
    expect(whyNotThroughSocket('postgresql://u:p@127.0.0.1:5432/db?sslmode=disable')).toBeNull();
  });

  it('the password is still masked in the socket form', () => {
    registerSecret('pw-in-socket-url-61c2');
    const url = socketUrl('postgresql://migration_guard_ab:pw-in-socket-url-61c2@127.0.0.1:5/db');
    expect(url).toContain('pw-in-socket-url-61c2');
    expect(maskSecrets(`failed: ${url}`)).not.toContain('pw-in-socket-url-61c2');
  });
});

/** A TCP server that answers each line with `echo:` and the line. */
async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => s.on('data', (d: Buffer) => s.write(`echo:${d.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function exchange(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const client = net.connect(socketPath);
    let got = '';
    client.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length + 5) client.end();
    });
    client.on('error', () => resolve(`ERROR ${got}`));
    client.on('close', () => resolve(got));
    client.write(text);
  });
}

describe('openDatabaseSocket', () => {
  it('pipes each connection to the server of the first URL, and only to it', async () => {
    const echo = await echoServer();
    const socket = await openDatabaseSocket(path.join(base, 'one'));
    const socketPath = path.join(socket.dir, '.s.PGSQL.5432');
    try {
      // Connectable by the sandbox's uid, in a directory it can search but not list.
      expect(statSync(socketPath).mode & 0o777).toBe(0o777);
      expect(statSync(socket.dir).mode & 0o777).toBe(0o711);
      // Not told where yet: the connection is closed at once.
      expect(await exchange(socketPath, 'early')).not.toContain('echo:');
      const url = socket.urlFor(`postgresql://u:p@127.0.0.1:${echo.port}/db`);
      expect(url).toBe('postgresql://u:p@/db?host=/tmp/.migration-guard-db&port=5432');
      expect(await exchange(socketPath, 'hello')).toBe('echo:hello');
      // Another database of the same server goes through it too; another server does not.
      expect(socket.urlFor(`postgresql://v:q@127.0.0.1:${echo.port}/other`)).toContain('@/other?');
      expect(socket.urlFor(`postgresql://v:q@127.0.0.1:${echo.port + 1}/db`)).toBeNull();
    } finally {
      await socket.close();
      await echo.close();
    }
  });

  it('a server that refuses closes the connection; close() ends open ones', async () => {
    const echo = await echoServer();
    const refused = echo.port;
    await echo.close();
    const socket = await openDatabaseSocket(path.join(base, 'two'));
    const socketPath = path.join(socket.dir, '.s.PGSQL.5432');
    socket.urlFor(`postgresql://u:p@127.0.0.1:${refused}/db`);
    expect(await exchange(socketPath, 'x')).not.toContain('echo:');
    await socket.close();
    await expect(exchange(socketPath, 'x')).resolves.toMatch(/^ERROR/);
  });
});
