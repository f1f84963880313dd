/** Schema snapshots of a real PostgreSQL database: every object kind, and what is ignored. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../../src/schema/diff.js';
import { takeSnapshot } from '../../../src/schema/snapshot.js';
import { resetDatabase } from '../../../src/roundtrip/reset.js';
import { startTestServer, type TestServer } from '../../helpers/postgres.js';
import { freshDatabase } from './fixtures.js';

let server: TestServer;
let client: pg.Client;
beforeAll(async () => {
  server = await startTestServer();
  client = new pg.Client({ connectionString: await freshDatabase(server.url) });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await server?.dispose();
});

const SCHEMA = `
  create extension if not exists pg_trgm;
  create schema audit;
  create type order_status as enum ('new', 'paid', 'shipped');
  create domain positive_int as integer check (value > 0);
  create sequence order_no start 100 increment 5;
  create table customers (id integer generated always as identity primary key, name text collate "C" not null);
  create table orders (
    id serial primary key,
    customer_id integer not null references customers (id),
    status order_status not null default 'new',
    qty positive_int,
    total numeric(10, 2) generated always as (qty * 2.5) stored
  );
  alter table orders add constraint ck_orders_qty check (qty < 1000) not valid;
  create index ix_orders_customer_id on orders (customer_id);
  create table audit.events (id bigint primary key, body jsonb);
  create view open_orders as select id from orders where status <> 'shipped';
  create materialized view order_counts as select status, count(*) from orders group by status;
  create function touch() returns trigger language plpgsql as $$ begin return new; end $$;
  create trigger trg_touch before update on orders for each row execute function touch();
  create table alembic_version (version_num varchar(32) primary key);
`;

describe('takeSnapshot', () => {
  it('reads every object kind by name, skipping alembic_version and extension members', async () => {
    await client.query(SCHEMA);
    const s = await takeSnapshot(client);
    expect(s.schemas).toEqual(['audit', 'public']);
    expect(s.tables).toEqual({ customers: 'r', orders: 'r', 'audit.events': 'r' });
    expect(s.columns['customers.id']).toEqual({
      type: 'integer',
      notNull: true,
      default: null,
      identity: 'a',
      generated: null,
      collation: null,
    });
    expect(s.columns['customers.name']?.collation).toBe('C');
    expect(s.columns['orders.status']).toMatchObject({
      type: 'order_status',
      notNull: true,
      default: "'new'::order_status",
    });
    expect(s.columns['orders.id']?.default).toBe("nextval('orders_id_seq'::regclass)");
    expect(s.columns['orders.total']).toMatchObject({
      type: 'numeric(10,2)',
      generated: '((qty)::numeric * 2.5)',
    });
    expect(s.columns['audit.events.body']?.type).toBe('jsonb');
    expect(s.indexes.ix_orders_customer_id).toBe(
      'CREATE INDEX ix_orders_customer_id ON public.orders USING btree (customer_id)',
    );
    expect(s.constraints['orders.ck_orders_qty']).toEqual({
      table: 'orders',
      definition: 'CHECK (((qty)::integer < 1000)) NOT VALID',
      validated: false,
    });
    expect(s.constraints['orders.orders_customer_id_fkey']?.definition).toBe(
      'FOREIGN KEY (customer_id) REFERENCES customers(id)',
    );
    expect(s.enums).toEqual({ order_status: ['new', 'paid', 'shipped'] });
    expect(s.types.positive_int).toBe('domain over integer');
    expect(s.sequences.order_no).toBe('bigint start 100 increment 5 min 1 max 9223372036854775807 cache 1');
    expect(Object.keys(s.sequences).sort()).toEqual(['customers_id_seq', 'order_no', 'orders_id_seq']);
    // PostgreSQL 16 stopped qualifying the columns of a one-table view in its definition.
    expect(s.views.open_orders).toMatch(/^view: +SELECT (orders\.)?id/);
    expect(s.views.order_counts).toMatch(/^materialized view: /);
    expect(Object.keys(s.functions)).toEqual(['touch()']);
    expect(s.triggers['orders.trg_touch']).toMatch(
      /^CREATE TRIGGER trg_touch BEFORE UPDATE ON public.orders/,
    );
    expect(Object.keys(s.extensions)).toEqual(['pg_trgm']);
    // pg_trgm's functions and types belong to the extension, alembic_version to alembic
    expect(Object.keys(s.functions).some((f) => f.startsWith('similarity'))).toBe(false);
    expect(Object.keys(s.columns).some((c) => c.startsWith('alembic_version'))).toBe(false);
  });

  it('ignores column order: a dropped and re-added column is not a difference', async () => {
    const before = await takeSnapshot(client);
    await client.query('alter table customers add column email text');
    const withEmail = await takeSnapshot(client);
    expect(diffSnapshots(before, withEmail, 'after downgrade')).toEqual([
      'column customers.email remains after downgrade',
    ]);
    await client.query('alter table customers drop column name');
    await client.query('alter table customers add column name text collate "C" not null');
    await client.query('alter table customers drop column email');
    expect(diffSnapshots(before, await takeSnapshot(client), 'after downgrade')).toEqual([]);
  });

  it('resetDatabase empties every user schema', async () => {
    await resetDatabase(client);
    const s = await takeSnapshot(client);
    expect(s.schemas).toEqual(['public']);
    expect(s.tables).toEqual({});
    expect(s.extensions).toEqual({});
    expect(s.enums).toEqual({});
  });
});
