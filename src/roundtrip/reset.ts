/**
 * Puts the throwaway database back to empty after a failed step, so the next revision runs on a
 * known state: ends every other session (a killed driver's backend may still hold locks), then
 * removes everything the migrations created.
 *
 * As the migration role (the default, not a superuser) that is `DROP OWNED BY CURRENT_USER`:
 * every object the role created in this database, whoever owns `public` (the bootstrap superuser
 * before PostgreSQL 15). As a superuser (--migration-role superuser) every user schema is
 * dropped and `public` recreated.
 */
import type pg from 'pg';
import { ADMIN_APPLICATION_NAME } from './empty-copy.js';

// Only the sessions of the migrations' own user (a killed driver's backend): the admin session
// that keeps the populated round trip's empty template open is not ours to end (as the migration
// role we may not; as a superuser it would break the template).
const TERMINATE_OTHERS = `select pg_terminate_backend(pid) from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid() and usename = current_user
       and application_name is distinct from '${ADMIN_APPLICATION_NAME}'`;

const SUPERUSER_RESET_SQL = [
  TERMINATE_OTHERS,
  `do $$
   declare s text;
   begin
     for s in select nspname from pg_namespace
       where nspname not in ('pg_catalog', 'information_schema') and nspname not like 'pg\\_%'
     loop
       execute format('drop schema %I cascade', s);
     end loop;
   end $$`,
  `create schema public`,
];

const ROLE_RESET_SQL = [
  TERMINATE_OTHERS,
  'drop owned by current_user cascade',
  'create schema if not exists public',
];

export async function resetDatabase(client: pg.Client): Promise<void> {
  const res = await client.query<{ s: boolean }>(
    'select rolsuper as s from pg_roles where rolname = current_user',
  );
  const sql = res.rows[0]?.s ? SUPERUSER_RESET_SQL : ROLE_RESET_SQL;
  for (const statement of sql) await client.query(statement);
}
