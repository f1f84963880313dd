/**
 * Footprint of the built CLI (issue 13, item 8): no database is started when only-changed
 * finds no changed migration (a TCP listener standing in for the server counts connection
 * attempts), and `--debug` says where the time of a real one-revision check went.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlembicRepo } from '../helpers/git-repo.js';
import { makeAlembicRepo, revisionFile, revisionPath } from '../helpers/git-repo.js';
import type { TestServer } from '../helpers/postgres.js';
import { startTestServer } from '../helpers/postgres.js';
import { assertBundle, dist } from './action-harness.js';

let repo: AlembicRepo;
let listener: net.Server;
let port = 0;
let connections = 0;
let pg: TestServer;

beforeAll(async () => {
  assertBundle();
  listener = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as net.AddressInfo).port;
  pg = await startTestServer();
  repo = await makeAlembicRepo({
    revisions: [
      {
        id: 'a1000001',
        down: null,
        message: 'create users',
        upgrade: "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  repo.branch('docs-only');
  repo.writeFile('README.md', 'docs only\n');
  repo.commit('docs');
  repo.checkout('main');
  repo.branch('migration');
  const spec = {
    id: 'b2000002',
    down: 'a1000001',
    message: 'add users name',
    upgrade: "op.add_column('users', sa.Column('name', sa.Text))",
    downgrade: "op.drop_column('users', 'name')",
  };
  repo.writeFile(revisionPath(spec), revisionFile(spec));
  repo.commit('add name');
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => listener?.close(resolve));
  await Promise.all([repo?.cleanup(), pg?.dispose()]);
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(dist, 'cli.js'), 'check', ...args], {
      cwd: repo.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the database starts only when a project needs it', () => {
  const fakeUrl = () => `postgresql://admin:pw@127.0.0.1:${port}/postgres`;

  it('only-changed with no changed migration: exit 0 and not one connection to the server', async () => {
    repo.checkout('docs-only');
    connections = 0;
    const r = await cli([
      '--only-changed',
      '--base',
      'main',
      '--database-url',
      fakeUrl(),
      '--python',
      '/usr/bin/python3',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('skipped, no revision file or env.py changed since main');
    expect(connections).toBe(0);
  }, 60_000);

  it('the same server is contacted once a migration changed (the listener proves it listens)', async () => {
    repo.checkout('migration');
    connections = 0;
    const r = await cli([
      '--only-changed',
      '--base',
      'main',
      '--database-url',
      fakeUrl(),
      '--python',
      '/usr/bin/python3',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(connections).toBeGreaterThan(0);
  }, 60_000);

  it('--debug prints where the time went, per phase', async () => {
    repo.checkout('migration');
    const r = await cli([
      '--base',
      'main',
      '--database-url',
      pg.url,
      '--python',
      '/usr/bin/python3',
      '--debug',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const timing = r.stderr.split('\n').find((l) => l.startsWith('debug: timing alembic.ini: '));
    expect(timing, r.stderr).toBeDefined();
    for (const phase of [
      'static',
      'roundTrip',
      'roundTrip.driverStart',
      'roundTrip.baseUpgrade',
      'roundTrip.upgrade',
      'lint',
      'serverReady',
    ]) {
      expect(timing).toMatch(new RegExp(`(: |, )${phase.replace('.', '\\.')} \\d+ ms`));
    }
  }, 120_000);
});
