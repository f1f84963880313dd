import { describe, expect, it } from 'vitest';
import { demuxDockerLog, imageForSpec } from '../../../src/database/container.js';
import { randomDatabaseName } from '../../../src/database/admin.js';
import { quoteIdent } from '../../../src/database/roles.js';
import { parseServerUrl, urlWithDatabase } from '../../../src/database/url.js';
import { startServer } from '../../../src/database/index.js';
import { silentLogger } from '../../../src/log.js';

describe('imageForSpec', () => {
  it.each([
    ['15', 'postgres:15-alpine'],
    ['16.4', 'postgres:16.4-alpine'],
    [' 17 ', 'postgres:17-alpine'],
    ['', 'postgres:16-alpine'],
    [undefined, 'postgres:16-alpine'],
    ['postgres:16-alpine', 'postgres:16-alpine'],
    ['ghcr.io/acme/pg:15', 'ghcr.io/acme/pg:15'],
    ['migration-guard-test/postgres:15', 'migration-guard-test/postgres:15'],
  ])('%j → %s', (input, expected) => {
    expect(imageForSpec(input)).toBe(expected);
  });
});

describe('parseServerUrl', () => {
  it.each([
    [
      'postgresql://u:p@db.example:6543/app',
      'db.example',
      '6543',
      'p',
      'postgresql://u:p@db.example:6543/app',
    ],
    ['postgres://u:p@h/app', 'h', '5432', 'p', 'postgresql://u:p@h/app'],
    [
      'postgresql+psycopg2://u:p%40ss@h:5433/app?sslmode=require',
      'h',
      '5433',
      'p@ss',
      'postgresql://u:p%40ss@h:5433/app?sslmode=require',
    ],
  ])('%s', (raw, host, port, password, href) => {
    const parsed = parseServerUrl(raw);
    expect([parsed.host, parsed.port, parsed.password, parsed.url.href]).toEqual([
      host,
      port,
      password,
      href,
    ]);
  });

  it.each([
    ['not a url', /database-url is not a URL/],
    ['mysql://u:secret@h/db', /must start with postgresql:\/\//],
  ])('rejects %s with a usage error (exit 2)', (raw, message) => {
    try {
      parseServerUrl(raw);
      throw new Error('expected a usage error');
    } catch (e) {
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toContain('secret');
      expect((e as { exitCode?: number }).exitCode).toBe(2);
    }
  });

  it('swaps only the database, keeping credentials and options', () => {
    const { url } = parseServerUrl('postgresql://u:p@h:1/postgres?sslmode=disable');
    expect(urlWithDatabase(url, 'migration_guard_abc')).toBe(
      'postgresql://u:p@h:1/migration_guard_abc?sslmode=disable',
    );
  });
});

describe('database names', () => {
  it('are migration_guard_ + 12 hex digits and differ', () => {
    const names = new Set(Array.from({ length: 50 }, randomDatabaseName));
    expect(names.size).toBe(50);
    for (const n of names) expect(n).toMatch(/^migration_guard_[0-9a-f]{12}$/);
  });

  it.each([
    ['plain', '"plain"'],
    ['we"ird', '"we""ird"'],
  ])('quoteIdent(%s) = %s', (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });
});

describe('startServer', () => {
  it('spec none is a usage error (exit 2) that says which option to pass', async () => {
    await expect(startServer({ kind: 'none' }, { log: silentLogger })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/--database-url/),
    });
  });
});

describe('demuxDockerLog', () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  };

  it('strips the 8-byte frame headers of stdout and stderr frames', () => {
    // A 65-byte frame has "A" as its size byte: a naive control-character filter keeps it.
    const long = `${'x'.repeat(64)}\n`;
    expect(demuxDockerLog(Buffer.concat([frame(1, 'out\n'), frame(2, long)]))).toBe(`out\n${long}`);
  });

  it('returns TTY output (no frames) as is', () => {
    expect(demuxDockerLog(Buffer.from('plain text\n'))).toBe('plain text\n');
  });
});
