/**
 * Time to a ready connection for each database provider, in one run.
 *
 *   node --experimental-transform-types --no-warnings --import ./test/helpers/ts-hooks.mjs \
 *     bench/database.ts [runs=3]
 *
 * "Ready" = acquireDatabase() resolved and a new pg connection to the fresh database answered
 * `select 1`. Image from MIGRATION_GUARD_TEST_IMAGE (default migration-guard-test/postgres:15),
 * which must be present locally. Results go in bench/README.md, section "database".
 */
import pg from 'pg';
import type { DatabaseSpec } from '../src/config.js';
import { acquireDatabase, startServer } from '../src/database/index.js';
import type { Database } from '../src/database/index.js';
import { startContainerServer } from '../src/database/container.js';
import { startLocalServer } from '../src/database/local.js';
import { silentLogger } from '../src/log.js';

const runs = Number(process.argv[2] ?? 3);
const image = process.env.MIGRATION_GUARD_TEST_IMAGE ?? 'migration-guard-test/postgres:15';
const log = silentLogger;

async function ready(db: Database): Promise<void> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('select 1');
  await client.end();
}

async function timeServer(
  start: () => Promise<{ createDatabase(): Promise<Database>; dispose(): Promise<void> }>,
) {
  const t0 = performance.now();
  const server = await start();
  await ready(await server.createDatabase());
  const ms = performance.now() - t0;
  await server.dispose();
  return ms;
}

async function timeSpec(spec: DatabaseSpec) {
  const t0 = performance.now();
  const db = await acquireDatabase(spec, { log });
  await ready(db);
  const ms = performance.now() - t0;
  await db.dispose();
  return ms;
}

// The URL case needs a server that is already up: start one and do not count it.
const urlServer = await startServer({ kind: 'local' }, { log });
const urlBase = (await urlServer.createDatabase()).url;

const cases: Array<{ name: string; goalMs: number; measure: () => Promise<number> }> = [
  { name: 'local (initdb template copy)', goalMs: 1500, measure: () => timeSpec({ kind: 'local' }) },
  {
    name: 'local (cold initdb, no template)',
    goalMs: 1500,
    measure: () => timeServer(() => startLocalServer({ log, noTemplate: true })),
  },
  {
    name: `container, connect-poll wait`,
    goalMs: 3000,
    measure: () => timeSpec({ kind: 'container', image }),
  },
  {
    name: `container, Testcontainers' default waits`,
    goalMs: 3000,
    measure: () => timeServer(() => startContainerServer(image, { log, wait: 'testcontainers' })),
  },
  {
    name: 'container, PostgreSqlContainer as shipped (reference)',
    goalMs: 3000,
    measure: async () => {
      // The library's defaults: no tmpfs, fsync on, health check + port waits. Not our code
      // path: shows what the tuning above saves.
      process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const t0 = performance.now();
      const container = await new PostgreSqlContainer(image).start();
      const client = new pg.Client({ connectionString: container.getConnectionUri() });
      await client.connect();
      await client.query('create database bench_fresh');
      await client.end();
      const ms = performance.now() - t0;
      await container.stop({ remove: true, timeout: 0 });
      return ms;
    },
  },
  {
    name: 'url (fresh database on a running server)',
    goalMs: 100,
    measure: () => timeSpec({ kind: 'url', url: urlBase }),
  },
];

// Warm-up: fills the initdb template and loads the Docker client, as a second run would.
await timeSpec({ kind: 'local' });

const rows: string[][] = [];
for (const c of cases) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await c.measure());
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  rows.push([
    c.name,
    String(Math.round(median)),
    String(Math.round(samples[0]!)),
    String(Math.round(samples[samples.length - 1]!)),
    `≤ ${c.goalMs}`,
    median <= c.goalMs ? 'yes' : 'NO',
  ]);
}
await urlServer.dispose();

const header = ['provider', 'median ms', 'min ms', 'max ms', 'goal ms', 'met'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(`runs per case: ${runs}, image: ${image}, node ${process.version}`);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
