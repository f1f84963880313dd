/**
 * The round trip on a populated database (issue "populated database"), with real alembic on
 * both Python stacks and a real PostgreSQL: every fixture pull request that only works on
 * empty tables is caught with an example row, and its twin stays clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundTripResult } from '../../../src/roundtrip/run.js';
import { estimateLocks } from '../../../src/roundtrip/estimate.js';
import { startTestServer, type TestServer } from '../../helpers/postgres.js';
import { freshDatabase, testPythons } from './fixtures.js';
import { adminUrlOf, populatedRoundTrip } from './populated-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

const [bookworm] = testPythons();

describe.each(testPythons())('populated round trip with $name', ({ argv, name }) => {
  const run = async (pending: string | string[], seedRows?: number) => {
    const url = await freshDatabase(server.url);
    return populatedRoundTrip(url, argv, pending, seedRows, adminUrlOf(server.url, url));
  };
  // Every case on bookworm; on trixie the ones that exercise the driver differently (the other
  // cases are not registered there at all, so nothing shows as skipped).
  const onBookworm: typeof it =
    name === bookworm?.name ? it : (((): void => undefined) as unknown as typeof it);

  it('seeds the base: enums, arrays, jsonb, uuid, identity, composite keys, self references, CHECKs, domains', async () => {
    const { result, findings } = await run('c1ok');
    expect(result.seed?.unfilled).toEqual({});
    for (const table of ['users', 'orders', 'catalog_items', 'catalog_prices'])
      expect(result.seed?.tables[table], table).toBeGreaterThan(100);
    expect(findings).toEqual([]);
    expect(result.revisions[0]?.data?.rows.users).toBe(200);
  });

  it('unique index over repeating values: upgrade-fails-with-data with the duplicated row', async () => {
    const { result, findings } = await run('c1bad');
    expect(findings.map((f) => f.rule)).toEqual(['upgrade-fails-with-data']);
    expect(findings[0]?.message).toMatch(/could not create unique index "uq_users_email"/);
    expect(findings[0]?.message).toMatch(/Example row: users \(id=-?\d+\): email = ".*"/);
    expect(result.revisions[0]?.data?.failure?.succeedsOnEmpty).toBe(true);
  });

  it('the same revision on empty tables is plain green (seeding off)', async () => {
    const { result, findings } = await run('c1bad', 0);
    expect(findings).toEqual([]);
    expect(result.seed).toBeNull();
    expect(result.revisions[0]?.data).toBeUndefined();
  });

  it('SET NOT NULL without a backfill fails with data; add nullable + backfill + set NOT NULL passes', async () => {
    const bad = await run('c2bad');
    expect(bad.findings.map((f) => f.rule)).toEqual(['upgrade-fails-with-data']);
    expect(bad.findings[0]?.message).toMatch(/column "country" of relation "users" contains null values/);
    expect(bad.findings[0]?.message).toMatch(/Example row: users \(id=-?\d+\): country = NULL/);
    const ok = await run('c2ok');
    expect(ok.findings).toEqual([]);
    expect(ok.result.revisions[0]?.steps.map((s) => s.ok)).toEqual([true, true, true]);
  });

  onBookworm(
    'a postgresql_using cast over text that holds non-numbers; a cast every value survives passes',
    async () => {
      const bad = await run('c3bad');
      expect(bad.findings.map((f) => f.rule)).toEqual(['upgrade-fails-with-data']);
      expect(bad.findings[0]?.message).toMatch(/invalid input syntax for type integer: "(.*)"/);
      expect(bad.findings[0]?.message).toMatch(/Example row: users \(id=-?\d+\): code = "/);
      expect((await run('c3ok')).findings).toEqual([]);
    },
  );

  onBookworm(
    'ADD CHECK NOT VALID + VALIDATE violated by existing rows; a check they satisfy passes',
    async () => {
      const bad = await run('c4bad');
      expect(bad.findings.map((f) => f.rule)).toEqual(['upgrade-fails-with-data']);
      expect(bad.findings[0]?.message).toMatch(/check constraint "ck_orders_amount_positive"/);
      expect(bad.findings[0]?.message).toMatch(/Example row: orders \(id=-?\d+\): amount = (0|-\d+)/);
      expect((await run('c4ok')).findings).toEqual([]);
    },
  );

  it('a downgrade that re-adds a moved column empty loses data; copying the values back does not', async () => {
    const bad = await run('c5bad');
    expect(bad.findings.map((f) => f.rule)).toEqual(['downgrade-loses-data']);
    expect(bad.findings[0]?.message).toMatch(
      /does not give users back: \d+ of 200 row\(s\) changed in phone\. Example: key \[-?\d+\]: before phone = ".*"; after phone = null\./,
    );
    expect(bad.result.revisions[0]?.schemaRestored).toBe(true);
    expect((await run('c5ok')).findings).toEqual([]);
  });

  onBookworm('a downgrade dropping a column the revision added is not data loss', async () => {
    const { result, findings } = await run('c6ok');
    expect(findings).toEqual([]);
    expect(result.revisions[0]?.data?.compared).toBe(true);
    expect(result.revisions[0]?.data?.differences).toEqual([]);
  });

  it('a data migration with op.get_bind() that only works on numbers fails with data; the careful one passes', async () => {
    const bad = await run('c7bad');
    expect(bad.findings.map((f) => f.rule)).toEqual(['upgrade-fails-with-data']);
    expect(bad.findings[0]?.message).toMatch(/ValueError: invalid literal for int\(\)/);
    expect((await run('c7ok')).findings).toEqual([]);
  });

  const upgradeStatements = (result: RoundTripResult) =>
    (result.revisions[0]?.steps[0]?.statements ?? []).filter((st) => !st.bookkeeping);

  it('observes: ALTER COLUMN TYPE integer -> numeric rewrote orders; --table-stats at 50 M rows estimates seconds or more', async () => {
    const { result } = await run('c3ok');
    const alter = upgradeStatements(result).find((st) => /ALTER COLUMN amount TYPE NUMERIC/i.test(st.sql));
    expect(alter?.observed?.rewrote).toContain('orders');
    expect(alter?.observed?.lockMs.orders).toBeGreaterThanOrEqual(alter?.durationMs ?? 0);
    const rowsBefore = result.revisions[0]?.data?.rows ?? {};
    expect(rowsBefore.orders).toBeGreaterThan(0);
    estimateLocks(upgradeStatements(result), { orders: { rows: 50_000_000, bytes: 4e9 } }, rowsBefore);
    expect(alter?.observed?.estimatedLockMs?.orders).toBeGreaterThanOrEqual(1000);
    // The basis names the rows orders held (not the tuples the rewrite read, which count twice).
    expect(alter?.observed?.estimateBasis?.[0]).toMatch(
      new RegExp(
        `^rewrote orders \\(${rowsBefore.orders} rows\\) in [\\d.]+ ms; 50 M rows ≈ [\\d.]+ (s|min|h)`,
      ),
    );
  });

  it('observes: SET NOT NULL scanned users without rewriting it', async () => {
    const { result } = await run('c2ok');
    const setNotNull = upgradeStatements(result).find((st) => /SET NOT NULL/i.test(st.sql));
    expect(setNotNull?.observed?.scanned).toContain('users');
    expect(setNotNull?.observed?.rewrote).not.toContain('users');
  });

  // Only the tables a revision's statements locked are compared (src/roundtrip/touched.ts).
  it('a downgrade whose function empties another table loses data there (seen through the lock)', async () => {
    const { result, findings } = await run('c9bad');
    expect(findings.map((f) => f.rule)).toEqual(['downgrade-loses-data']);
    expect(findings[0]?.message).toMatch(/does not give orders back: \d+ of \d+ row\(s\) gone/);
    expect(result.revisions[0]?.data?.differences.map((d) => d.table)).toEqual(['orders']);
  });

  it('a downgrade that deletes rows in an autocommit block: its locks cannot be seen, every table is compared', async () => {
    const { findings } = await run('c10bad');
    expect(findings.map((f) => f.rule)).toEqual(['downgrade-loses-data']);
    expect(findings[0]?.message).toMatch(/does not give orders back: \d+ of \d+ row\(s\) gone/);
  });

  it('row copies follow the history: after a revision changed users, the next one compares with the new rows', async () => {
    // d1mark appends '#' to every phone and takes it off again; its re-upgrade leaves it on. A
    // copy of users still from before d1mark would make the good twin lose every phone.
    const ok = await run(['d1mark', 'd2ok']);
    expect(ok.result.revisions.map((r) => r.data?.compared)).toEqual([true, true]);
    expect(ok.findings).toEqual([]);
    const bad = await run(['d1mark', 'd2bad']);
    expect(bad.findings.map((f) => [f.revision, f.rule])).toEqual([['d2bad', 'downgrade-loses-data']]);
    expect(bad.findings[0]?.message).toMatch(
      /Example: key \[-?\d+\]: before phone = ".*#"; after phone = null\./,
    );
  });

  onBookworm('observes: CREATE INDEX CONCURRENTLY does not rewrite the table', async () => {
    const { result, findings } = await run('c8ok');
    const create = upgradeStatements(result).find((st) => /CREATE INDEX CONCURRENTLY/i.test(st.sql));
    expect(create?.observed).toBeTruthy();
    expect(create?.observed?.rewrote).toEqual([]);
    expect(findings).toEqual([]);
  });
});
