/**
 * The cached initdb template (src/database/template.ts): saved read-only, owned by this
 * process's user, copied only after its checksum matches; a tampered template (a server
 * setting planted in postgresql.auto.conf) is discarded and never reaches a cluster.
 */
import { appendFileSync, chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDatabase } from '../../../src/database/index.js';
import type { Logger } from '../../../src/log.js';
import { query, recordingLogger } from './pg-helpers.js';

let base: string;
const previous = process.env.MIGRATION_GUARD_PG_TMPDIR;

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'mg-template-'));
  // Like /dev/shm or /tmp: the cluster's user (postgres, when we are root) must get in.
  chmodSync(base, 0o1777);
  process.env.MIGRATION_GUARD_PG_TMPDIR = base;
});
afterAll(() => {
  if (previous === undefined) delete process.env.MIGRATION_GUARD_PG_TMPDIR;
  else process.env.MIGRATION_GUARD_PG_TMPDIR = previous;
  rmSync(base, { recursive: true, force: true });
});

function withWarnings(): Logger & { lines: string[] } {
  const log = recordingLogger();
  return { ...log, warning: (m) => log.lines.push(`warning: ${m}`) };
}

async function startAndRead(log: Logger): Promise<string> {
  const db = await acquireDatabase({ kind: 'local' }, { log });
  try {
    const [row] = await query<{ v: string }>(db.adminUrl, "select current_setting('work_mem') as v");
    return row!.v;
  } finally {
    await db.dispose();
  }
}

function templateOf(): string {
  const found = readdirSync(base).filter((d) => /^migration-guard-initdb-\d+-[0-9a-f]{12}$/.test(d));
  expect(found).toHaveLength(1);
  return path.join(base, found[0]!);
}

describe('initdb template', () => {
  it('is saved read-only with a checksum, owned by this user, and used by the next start', async () => {
    const first = withWarnings();
    await startAndRead(first);
    expect(first.lines.join('\n')).toMatch(/data directory ready \(initdb\)/);
    const template = templateOf();
    const conf = path.join(template, 'data', 'postgresql.auto.conf');
    expect(statSync(conf).mode & 0o222).toBe(0);
    expect(statSync(path.join(template, 'data')).mode & 0o222).toBe(0);
    expect(statSync(template).uid).toBe(process.getuid!());
    expect(statSync(path.join(template, 'sha256')).size).toBe(65);

    const second = withWarnings();
    expect(await startAndRead(second)).toBe('4MB');
    expect(second.lines.join('\n')).toMatch(/data directory ready \(template\)/);
  }, 60_000);

  it('a template changed after it was saved is discarded, and the cluster starts clean', async () => {
    const template = templateOf();
    const conf = path.join(template, 'data', 'postgresql.auto.conf');
    chmodSync(conf, 0o600);
    appendFileSync(conf, "work_mem = '77MB'\n");
    chmodSync(conf, 0o400);

    const log = withWarnings();
    expect(await startAndRead(log)).toBe('4MB');
    const text = log.lines.join('\n');
    expect(text).toMatch(/warning: initdb template not used: its checksum does not match: discarded/);
    expect(text).toMatch(/data directory ready \(initdb\)/);
    // A clean template replaces it.
    const again = withWarnings();
    expect(await startAndRead(again)).toBe('4MB');
    expect(again.lines.join('\n')).toMatch(/data directory ready \(template\)/);
  }, 60_000);
});
