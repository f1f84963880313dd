/**
 * The populated round trip on the two other database providers: a Testcontainers container
 * (the locally built image) and a --database-url server, each with both Python stacks (bookworm:
 * alembic 1.8 / SQLAlchemy 1.4, trixie: alembic 1.13 / SQLAlchemy 2.0). The seeding, the empty
 * template copy made through the admin connection and the data comparison must work on each of
 * them exactly as on the local cluster (populated.test.ts covers every fixture there). One server
 * per provider serves both stacks.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSpec } from '../../../src/config.js';
import { startServer, type DatabaseServer } from '../../../src/database/index.js';
import { silentLogger } from '../../../src/log.js';
import { testPythons, type TestPython } from './fixtures.js';
import { populatedRoundTrip } from './populated-helpers.js';

const image = process.env.MIGRATION_GUARD_TEST_IMAGE ?? 'migration-guard-test/postgres:15';
const pythons = testPythons();

/** Null when a Docker daemon answers, else why not. */
function dockerAbsentReason(): string | null {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 20_000 });
    return null;
  } catch (e) {
    return (e as Error).message.split('\n')[0] ?? 'docker info failed';
  }
}
const dockerAbsent = dockerAbsentReason();
// In CI the container provider must run: a missing daemon there fails the tests instead.
const skipContainer = dockerAbsent !== null && !process.env.CI;
if (skipContainer) console.log(`skipping the container provider: Docker is not available (${dockerAbsent})`);

/**
 * The unique-index fixture and its clean twin on one provider: each case gets a fresh database
 * (migrations as its restricted role, setup and the empty copy as admin), as a real run does.
 */
function populatedCases(server: () => DatabaseServer, provider: string, python: TestPython): void {
  const run = async (pending: string) => {
    const db = await server().createDatabase();
    try {
      expect(db.provider).toBe(provider);
      expect(db.role).not.toBeNull();
      return await populatedRoundTrip(db.url, python.argv, pending, 200, db.adminUrl);
    } finally {
      await db.dispose();
    }
  };

  it('a unique index over repeating values: upgrade-fails-with-data, succeeds on empty tables, rows seeded', async () => {
    const { result, findings } = await run('c1bad');
    expect(findings.map((f) => f.rule)).toEqual(['upgrade-fails-with-data']);
    expect(findings[0]?.message).toMatch(/could not create unique index "uq_users_email"/);
    expect(findings[0]?.message).toMatch(/Example row: users \(id=-?\d+\): email = ".*"/);
    const data = result.revisions[0]?.data;
    expect(data?.failure?.phase).toBe('upgrade');
    expect(data?.failure?.succeedsOnEmpty).toBe(true);
    expect(result.seed?.rowsPerTable).toBe(200);
    expect(result.seed?.unfilled).toEqual({});
    expect(result.seed?.tables.users).toBe(200);
    expect(data?.rows.users).toBe(200);
  });

  it('its twin (unique over id, email) stays clean with the same seeded rows', async () => {
    const { result, findings } = await run('c1ok');
    expect(findings).toEqual([]);
    const data = result.revisions[0]?.data;
    expect(data?.failure).toBeNull();
    expect(data?.compared).toBe(true);
    expect(data?.differences).toEqual([]);
    expect(result.revisions[0]?.steps.map((s) => s.ok)).toEqual([true, true, true]);
    expect(result.seed?.rowsPerTable).toBe(200);
    expect(result.seed?.unfilled).toEqual({});
    expect(result.seed?.tables.users).toBe(200);
    for (const table of ['orders', 'catalog_items', 'catalog_prices'])
      expect(result.seed?.tables[table], table).toBeGreaterThan(100);
    expect(data?.rows.users).toBe(200);
  });

  it('a downgrade that re-adds a moved column empty: downgrade-loses-data', async () => {
    const { result, findings } = await run('c5bad');
    expect(findings.map((f) => f.rule)).toEqual(['downgrade-loses-data']);
    expect(findings[0]?.message).toMatch(
      /does not give users back: \d+ of 200 row\(s\) changed in phone\. Example: key \[-?\d+\]: before phone = ".*"; after phone = null\./,
    );
    expect(result.revisions[0]?.data?.failure).toBeNull();
    expect(result.revisions[0]?.data?.rows.users).toBe(200);
  });
}

function providerSuite(spec: () => DatabaseSpec, provider: string, before?: () => Promise<void>) {
  let server: DatabaseServer | undefined;
  beforeAll(async () => {
    await before?.();
    server = await startServer(spec(), { log: silentLogger });
  }, 120_000);
  afterAll(async () => {
    await server?.dispose();
  });
  const started = (): DatabaseServer => {
    if (!server) throw new Error('server not started');
    return server;
  };
  for (const python of pythons)
    describe(`with ${python.name}`, () => populatedCases(started, provider, python));
}

describe.skipIf(skipContainer)(`populated round trip in a container (${image})`, () => {
  providerSuite(() => ({ kind: 'container', image }), 'container');
});

describe('populated round trip on a --database-url server', () => {
  // A real server to point --database-url at: our local provider, whose superuser URL plays
  // the user's URL; the URL provider then creates (and drops) its own database on it.
  let backing: DatabaseServer | undefined;
  let serverUrl = '';
  afterAll(async () => {
    await backing?.dispose();
  });
  providerSuite(
    () => ({ kind: 'url', url: serverUrl }),
    'url',
    async () => {
      backing = await startServer({ kind: 'local' }, { log: silentLogger });
      serverUrl = (await backing.createDatabase()).adminUrl;
    },
  );
});
