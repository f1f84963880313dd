/**
 * The seeder on real PostgreSQL: a schema with every kind of column users have (enums, domains,
 * arrays, jsonb, uuid, identity, serial, composite keys, self references, CHECKs, composite
 * types, ranges, other schemas) is filled without error, in foreign-key order, with adversarial
 * values, reproducibly for a seed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_USAGE, MigrationGuardError } from '../../../src/errors.js';
import { seedDatabase } from '../../../src/seed/seed.js';
import { startTestServer, type TestServer } from '../../helpers/postgres.js';
import { freshDatabase } from '../roundtrip/fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA = readFileSync(path.join(here, 'schema.sql'), 'utf8');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

async function withDatabase<T>(sql: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await freshDatabase(server.url) });
  await client.connect();
  try {
    if (sql) await client.query(sql);
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function rows<T extends pg.QueryResultRow>(client: pg.Client, sql: string): Promise<T[]> {
  return (await client.query<T>(sql)).rows;
}

describe('seeder', () => {
  it('fills every table of a schema with every column kind, without error', async () => {
    await withDatabase(SCHEMA, async (client) => {
      const result = await seedDatabase(client, { rows: 120, randomSeed: 7 });
      const byTable = Object.fromEntries(result.tables.map((t) => [t.table, t]));
      expect(Object.keys(byTable).sort()).toEqual(
        [
          'billing.accounts',
          'categories',
          'customers',
          'employees',
          'order_items',
          'orders',
          'profiles',
        ].sort(),
      );
      for (const t of result.tables) expect(t, t.table).toMatchObject({ error: null });
      expect(byTable.customers?.inserted).toBe(120);
      // FK order: parents come before children
      const order = result.tables.map((t) => t.table);
      expect(order.indexOf('customers')).toBeLessThan(order.indexOf('orders'));
      expect(order.indexOf('billing.accounts')).toBeLessThan(order.indexOf('orders'));
      expect(order.indexOf('orders')).toBeLessThan(order.indexOf('order_items'));
      for (const t of result.tables) expect(t.inserted, t.table).toBeGreaterThan(50);

      const [counts] = await rows<{ customers: string; orders: string; items: string }>(
        client,
        'select (select count(*) from customers) as customers, (select count(*) from orders) as orders, (select count(*) from order_items) as items',
      );
      expect(Number(counts?.customers)).toBe(120);

      // adversarial within the constraints
      const [stats] = await rows<Record<string, string | boolean>>(
        client,
        `select
           (select count(*) from customers where name is null) as null_names,
           (select count(*) from customers where name = '') as empty_names,
           (select count(*) from customers where name !~ '^-?[0-9.]+$') as non_numeric_names,
           (select count(*) from customers where name ~ '[^[:ascii:]]') as non_ascii,
           (select count(*) from customers where length(name) > 200) as long_names,
           (select count(*) from (select name from customers where name is not null group by name having count(*) > 1) d) as repeated_names,
           (select count(*) from customers where small = 0) + (select count(*) from customers where small < 0) as zero_or_negative,
           (select count(*) from customers where big in (9223372036854775807, -9223372036854775808)) as bounds,
           (select count(*) from customers where local_at < '2000-01-01') as past,
           (select count(*) from customers where local_at > now() + interval '1 year') as future,
           (select count(distinct mood) from customers) as moods,
           (select count(*) from customers where cardinality(scores) = 0) as empty_arrays,
           (select count(*) from categories where parent_id is not null) as children,
           (select count(*) from employees where manager_id <> id) as managed,
           (select bool_and(contact ~ '^[^@]+@[^@]+$') from billing.accounts) as emails_valid,
           (select bool_and(level > 0) from billing.accounts where level is not null) as levels_positive,
           (select bool_and(quantity between 1 and 50 and status in ('new','paid','shipped')) from orders) as checks_hold,
           (select count(*) from orders where tenant is not null) as composite_fk_rows`,
      );
      expect(Number(stats?.null_names)).toBeGreaterThan(0);
      expect(Number(stats?.empty_names)).toBeGreaterThan(0);
      expect(Number(stats?.non_numeric_names)).toBeGreaterThan(0);
      expect(Number(stats?.non_ascii)).toBeGreaterThan(0);
      expect(Number(stats?.long_names)).toBeGreaterThan(0);
      expect(Number(stats?.repeated_names)).toBeGreaterThan(0);
      expect(Number(stats?.zero_or_negative)).toBeGreaterThan(0);
      expect(Number(stats?.bounds)).toBeGreaterThan(0);
      expect(Number(stats?.past)).toBeGreaterThan(0);
      expect(Number(stats?.future)).toBeGreaterThan(0);
      expect(Number(stats?.moods)).toBe(3);
      expect(Number(stats?.empty_arrays)).toBeGreaterThan(0);
      expect(Number(stats?.children)).toBeGreaterThan(0);
      expect(Number(stats?.managed)).toBeGreaterThan(0);
      expect(stats?.emails_valid).toBe(true);
      expect(stats?.levels_positive).toBe(true);
      expect(stats?.checks_hold).toBe(true);
      expect(Number(stats?.composite_fk_rows)).toBeGreaterThan(0);
    });
  });

  it('is deterministic for a seed and differs for another', async () => {
    const digest = async (seed: number) =>
      withDatabase(SCHEMA, async (client) => {
        await seedDatabase(client, { rows: 50, randomSeed: seed });
        const [r] = await rows<{ d: string }>(
          client,
          `select md5(string_agg(t::text, '|' order by t::text)) as d from (
             select c.email, c.name, c.tags::text, c.profile::text, c.born, c.balance from customers c
             union all select o.note, o.status, null, null, null, o.price from orders o) t`,
        );
        return r?.d;
      });
    const a = await digest(3);
    expect(await digest(3)).toBe(a);
    expect(await digest(4)).not.toBe(a);
  });

  it('reports a table it cannot fill and leaves it empty, without failing', async () => {
    await withDatabase(
      `create table impossible (id integer primary key, n integer not null check (n > 0 and n < 0));
       create table child (id integer primary key, parent_id integer not null references impossible (id));
       create table fine (id integer primary key);`,
      async (client) => {
        const result = await seedDatabase(client, { rows: 20, randomSeed: 1 });
        const byTable = Object.fromEntries(result.tables.map((t) => [t.table, t]));
        expect(byTable.impossible).toMatchObject({ inserted: 0 });
        expect(byTable.impossible?.error).toMatch(/rejected|violates/);
        expect(byTable.child).toMatchObject({
          inserted: 0,
          error: 'references impossible, which has no rows',
        });
        expect(byTable.fine).toMatchObject({ inserted: 20, error: null });
      },
    );
  });

  it('tops up only empty tables, leaves alembic_version alone, and runs the user SQL after', async () => {
    await withDatabase(
      `create table alembic_version (version_num varchar(32) primary key);
       insert into alembic_version values ('abc123');
       create table lookup (id integer primary key, label text);
       insert into lookup values (1, 'kept');
       create table empty_one (id integer primary key, label text);`,
      async (client) => {
        const result = await seedDatabase(client, {
          rows: 10,
          randomSeed: 1,
          onlyEmpty: true,
          userSql: { file: 'seed.sql', sql: "insert into lookup values (2, 'from the user')" },
        });
        expect(result.tables.map((t) => t.table)).toEqual(['empty_one']);
        expect(result.userSql).toEqual({ file: 'seed.sql', ok: true, error: null });
        expect(await rows(client, 'select * from alembic_version')).toEqual([{ version_num: 'abc123' }]);
        expect(await rows(client, 'select id, label from lookup order by id')).toEqual([
          { id: 1, label: 'kept' },
          { id: 2, label: 'from the user' },
        ]);
      },
    );
  });

  it('stops with a usage error naming the file, the line and the error when the user SQL fails; none of it stays', async () => {
    await withDatabase(
      `create table lookup (id integer primary key, label text);
       insert into lookup values (1, 'kept');`,
      async (client) => {
        const failure = (sql: string) =>
          seedDatabase(client, { rows: 0, randomSeed: 1, userSql: { file: 'db/sample.sql', sql } }).then(
            () => null,
            (e: unknown) => e as MigrationGuardError,
          );
        const missing = await failure(
          "insert into lookup values (2, 'first');\n-- the old table name\ninsert into nowhere values (1);\n",
        );
        expect(missing).toBeInstanceOf(MigrationGuardError);
        expect(missing?.exitCode).toBe(EXIT_USAGE);
        expect(missing?.message).toBe(
          'seed-sql db/sample.sql line 3: relation "nowhere" does not exist: fix the file (it runs on the base schema)',
        );
        // An error found while executing has no position; the server's DETAIL names the row.
        const duplicate = await failure(
          "insert into lookup values (3, 'x');\ninsert into lookup values (1, 'again');",
        );
        expect(duplicate?.exitCode).toBe(EXIT_USAGE);
        expect(duplicate?.message).toBe(
          'seed-sql db/sample.sql: duplicate key value violates unique constraint "lookup_pkey" (Key (id)=(1) already exists.): fix the file (it runs on the base schema)',
        );
        // One implicit transaction: the statements before the failing one did not stay.
        expect(await rows(client, 'select id, label from lookup order by id')).toEqual([
          { id: 1, label: 'kept' },
        ]);
      },
    );
  });
});
