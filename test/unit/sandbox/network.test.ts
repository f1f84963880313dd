/**
 * The sandbox's network (src/sandbox/index.ts, database-socket.ts) on this machine's real
 * sandbox: a command that needs a database gets its own network namespace and the socket's URL
 * in its variable; a URL that requires TLS cannot go through a Unix socket, so that sandbox
 * shares the host's network, the variable keeps the real URL, and the report says `shared`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  detectSandbox,
  resetSandboxForTests,
  sandboxedCommand,
  sandboxReport,
} from '../../../src/sandbox/index.js';

afterEach(() => resetSandboxForTests());

function request(url: string) {
  return {
    argv: ['true'],
    cwd: '/',
    expose: [],
    // As the callers set it (src/secrets.ts untrustedEnvironment): the real URL.
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url },
    database: { url, env: 'DATABASE_URL' },
  };
}

describe('the sandbox network', () => {
  it('database-only: own namespace, the socket URL in the variable', async () => {
    expect((await detectSandbox()).kind).not.toBeNull();
    const sandboxed = await sandboxedCommand(
      request('postgresql+psycopg2://u:pw@127.0.0.1:5999/db?application_name=x'),
    );
    try {
      expect(sandboxed.args).toContain('--net');
      expect(sandboxed.env.DATABASE_URL).toBe(
        'postgresql+psycopg2://u:pw@/db?application_name=x&host=/tmp/.migration-guard-db&port=5432',
      );
      expect(sandboxed.databaseUrl('postgresql://v:q@127.0.0.1:5999/other')).toBe(
        'postgresql://v:q@/other?host=/tmp/.migration-guard-db&port=5432',
      );
      expect((await sandboxReport())?.network).toBe('database-only');
    } finally {
      await sandboxed.cleanup();
    }
  });

  it('sslmode=require: the host network, the real URL, and the report says so', async () => {
    const url = 'postgresql://u:pw@127.0.0.1:5999/db?sslmode=require';
    const sandboxed = await sandboxedCommand(request(url));
    try {
      expect(sandboxed.args).not.toContain('--net');
      expect(sandboxed.env.DATABASE_URL).toBe(url);
      expect(sandboxed.databaseUrl(url)).toBe(url);
      expect((await sandboxReport())?.network).toBe('shared');
    } finally {
      await sandboxed.cleanup();
    }
  });

  it('a command without a database gets a network of its own and no socket', async () => {
    expect((await detectSandbox()).kind).not.toBeNull();
    const sandboxed = await sandboxedCommand({
      argv: ['true'],
      cwd: '/',
      expose: [],
      env: { PATH: process.env.PATH ?? '' },
    });
    try {
      expect(sandboxed.args).toContain('--net');
      const dbdirAt = sandboxed.args.indexOf('migration-guard-sandbox') + 7;
      expect(sandboxed.args[dbdirAt]).toBe('-');
    } finally {
      await sandboxed.cleanup();
    }
  });
});
