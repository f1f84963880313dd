/**
 * Puts the throwaway database back to empty after a failed step, so the next revision runs on a
 * known state: ends every other session (a killed driver's backend may still hold locks), then
 * drops every user schema and recreates `public`.
 */
import type pg from 'pg';

const RESET_SQL = [
  `select pg_terminate_backend(pid) from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid()`,
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

export async function resetDatabase(client: pg.Client): Promise<void> {
  for (const sql of RESET_SQL) await client.query(sql);
}
