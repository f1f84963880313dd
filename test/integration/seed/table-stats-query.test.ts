/**
 * The --table-stats query as the README prints it ("Production-size lock estimates"), taken
 * from the README's text and run the way the README says (its psql command line, in bash) on a
 * real PostgreSQL with tables in several schemas, kinds and states: the file it writes must be
 * what --table-stats reads (loadTableStats), with the names the round trip gives tables.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTableStats } from '../../../src/roundtrip/estimate.js';
import { startTestServer, type TestServer } from '../../helpers/postgres.js';
import { runReadmeTableStats } from '../../helpers/table-stats-readme.js';
import { freshDatabase } from '../roundtrip/fixtures.js';

let server: TestServer;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  work = mkdtempSync(path.join(tmpdir(), 'mg-table-stats-'));
});

afterAll(async () => {
  await server?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function tableSize(url: string, relation: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>('select pg_table_size($1::regclass) as n', [relation]);
    return Number(r.rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('the README --table-stats query on a real server', () => {
  it('writes {"<table>": {"rows": N, "bytes": B}} for every table, that --table-stats reads', async () => {
    const url = await freshDatabase(server.url);
    await sql(
      url,
      `create table orders (id bigserial primary key, amount integer not null, note text);
       insert into orders (amount, note) select g, repeat('x', g % 50) from generate_series(1, 5000) g;
       create schema shop;
       create table shop.items (sku text primary key, price numeric(10, 2));
       insert into shop.items select 'sku-' || g, g from generate_series(1, 120) g;
       create table "Mixed Case" (id int);
       insert into "Mixed Case" values (1), (2), (3);
       create table never_analysed (id int, payload text);
       insert into never_analysed select g, repeat('y', 200) from generate_series(1, 40) g;
       create table events (id int, at date not null) partition by range (at);
       create table events_2024 partition of events for values from ('2024-01-01') to ('2025-01-01');
       insert into events select g, date '2024-01-01' + g % 300 from generate_series(1, 700) g;
       create materialized view order_totals as select amount % 10 as bucket, count(*) from orders group by 1;
       create view big_orders as select * from orders where amount > 100;
       analyze orders; analyze shop.items; analyze "Mixed Case"; analyze events_2024; analyze order_totals;`,
    );
    const file = runReadmeTableStats(work, url);
    const text = readFileSync(file, 'utf8');
    // One line of JSON, straight from psql: no header, no footer, no alignment padding.
    expect(text.trim().split('\n')).toHaveLength(1);
    const raw = JSON.parse(text) as Record<string, { rows?: number; bytes?: number }>;
    expect(Object.keys(raw).sort()).toEqual(
      [
        'Mixed Case',
        'events',
        'events_2024',
        'never_analysed',
        'order_totals',
        'orders',
        'shop.items',
      ].sort(),
    );
    // ANALYZE's counts are exact at this size; sizes are the server's own.
    expect(raw.orders).toEqual({ rows: 5000, bytes: await tableSize(url, 'orders') });
    expect(raw['shop.items']).toEqual({ rows: 120, bytes: await tableSize(url, 'shop.items') });
    expect(raw['Mixed Case']?.rows).toBe(3);
    expect(raw.events_2024?.rows).toBe(700);
    expect(raw.order_totals?.rows).toBe(10);
    // Never analysed: no row estimate (not a misleading 0), only the size.
    expect(raw.never_analysed).toEqual({ bytes: await tableSize(url, 'never_analysed') });
    expect(raw.never_analysed?.bytes).toBeGreaterThan(0);
    // What --table-stats does with the file: read without complaint, same numbers.
    const stats = await loadTableStats(file);
    expect(stats).toEqual(raw);
  });

  it('writes {} on a database without tables, which --table-stats accepts', async () => {
    const url = await freshDatabase(server.url);
    const dir = mkdtempSync(path.join(work, 'empty-'));
    const file = runReadmeTableStats(dir, url);
    expect(readFileSync(file, 'utf8').trim()).toBe('{}');
    expect(await loadTableStats(file)).toEqual({});
  });
});
