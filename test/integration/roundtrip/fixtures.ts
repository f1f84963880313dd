/**
 * Helpers of the driver / round-trip integration tests: the fixture projects under
 * test/fixtures/projects, the Pythons to run them with, fresh databases on one test server.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { RoundTripRevision } from '../../../src/roundtrip/run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
export const projectsDir = path.join(repoRoot, 'test', 'fixtures', 'projects');
export const driverPath = path.join(repoRoot, 'src', 'driver', 'driver.py');

export interface TestPython {
  name: string;
  argv: string[];
}

export const TRIXIE_PYTHON = '/opt/migration-guard/trixie-python';

/**
 * Debian bookworm's alembic 1.8 / SQLAlchemy 1.4 always; trixie's alembic 1.13 / SQLAlchemy 2.0
 * when scripts/setup-trixie-python.sh has built it (CI always does; it fails there otherwise).
 */
export function testPythons(): TestPython[] {
  const out: TestPython[] = [{ name: 'bookworm alembic 1.8 / SQLAlchemy 1.4', argv: ['/usr/bin/python3'] }];
  if (existsSync(TRIXIE_PYTHON))
    out.push({ name: 'trixie alembic 1.13 / SQLAlchemy 2.0', argv: [TRIXIE_PYTHON] });
  else if (process.env.CI) throw new Error(`${TRIXIE_PYTHON} is missing: run scripts/setup-trixie-python.sh`);
  else
    console.log(
      `skipping the trixie Python stack: ${TRIXIE_PYTHON} is absent (scripts/setup-trixie-python.sh)`,
    );
  return out;
}

export function projectDir(name: string): string {
  return path.join(projectsDir, name);
}

export function configPath(name: string): string {
  return path.join(projectsDir, name, 'alembic.ini');
}

/** Revisions of a fixture project read with a regex (fixtures are simple), parents first. */
export function fixtureRevisions(name: string): RoundTripRevision[] {
  const versions = path.join(projectsDir, name, 'migrations', 'versions');
  const found: RoundTripRevision[] = [];
  for (const file of readdirSync(versions)
    .filter((f) => f.endsWith('.py'))
    .sort()) {
    const abs = path.join(versions, file);
    const text = readFileSync(abs, 'utf8');
    const id = /^revision = "(\w+)"/m.exec(text)?.[1];
    const down = /^down_revision = (.*)$/m.exec(text)?.[1] ?? 'None';
    if (!id) continue;
    const downRevisions = [...down.matchAll(/"(\w+)"/g)].map((m) => m[1] as string);
    found.push({ id, downRevisions, file: abs, relFile: path.relative(path.join(projectsDir, name), abs) });
  }
  const ordered: RoundTripRevision[] = [];
  const done = new Set<string>();
  while (ordered.length < found.length) {
    const next = found.find((r) => !done.has(r.id) && r.downRevisions.every((d) => done.has(d)));
    if (!next) throw new Error(`cycle in fixture ${name}`);
    ordered.push(next);
    done.add(next.id);
  }
  return ordered;
}

/** 1-based line of the first line containing `needle` in a fixture revision file. */
export function lineOf(file: string, needle: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

let counter = 0;

/** CREATE DATABASE on the server of `serverUrl`; returns the new database's URL. */
/**
 * A new empty database on the server of `serverUrl` (a superuser's URL), owned by a new login
 * role that is not a superuser, like the one a real run creates (src/database/admin.ts): the
 * returned URL is that role's.
 */
export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `mg_rt_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const password = `pw_${name}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create role ${name} login password '${password}'`);
    await client.query(`create database ${name} owner ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  url.username = name;
  url.password = password;
  return url.toString();
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
