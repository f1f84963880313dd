/**
 * The two login roles of a restricted database (README.md "Security"):
 * - the migration role, named like the database: what the pull request's code connects as;
 * - the tool's own role, `<database>_tool`: what migration-guard's own sessions in that database
 *   (snapshots, resets, data capture) log in as. It is a member of the migration role and every
 *   session of it runs as that role (`ALTER ROLE … SET role`), so those sessions see and may do
 *   exactly what the migrations may. PostgreSQL lets a role cancel or terminate only sessions of
 *   roles it is a member of (pg_cancel_backend, pg_terminate_backend); the migration role is a
 *   member of no role, so it cannot signal the tool's sessions.
 */
import type pg from 'pg';

/** Double-quotes an identifier (our names are [a-z0-9_], but never trust that silently). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** What the admin user may do, from pg_roles (src/database/admin.ts queryAdminRights). */
export interface AdminRights {
  user: string;
  superuser: boolean;
  createdb: boolean;
  createrole: boolean;
}

/**
 * The login role the pull request's code runs as: no superuser, no CREATEDB, no CREATEROLE,
 * no REPLICATION, no BYPASSRLS, member of no role (so none of pg_execute_server_program,
 * pg_read_server_files, pg_write_server_files). Owning its database is what lets it create
 * schemas and trusted extensions (pgcrypto, citext, uuid-ossp, pg_trgm… on PostgreSQL 13+).
 */
export async function createMigrationRole(
  client: pg.Client,
  role: string,
  password: string,
  rights: AdminRights,
): Promise<void> {
  await client.query(
    `CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${password}'`,
  );
  // CREATE DATABASE … OWNER needs the creator to be able to SET ROLE to the owner; a superuser
  // always can. The grant goes from the migration role to the admin user, never the reverse.
  if (!rights.superuser) await client.query(`GRANT ${quoteIdent(role)} TO CURRENT_USER`);
}

/** The tool's own login role of the database whose migration role is `migrationRole`. */
export function toolRoleName(migrationRole: string): string {
  return `${migrationRole}_tool`;
}

/**
 * Creates the tool's own role (see above). The tool role is a member of the migration role,
 * never the reverse: the tool may signal the migrations' sessions (a reset ends them), not the
 * other way round.
 */
export async function createToolRole(
  client: pg.Client,
  migrationRole: string,
  password: string,
): Promise<void> {
  const tool = quoteIdent(toolRoleName(migrationRole));
  await client.query(
    `CREATE ROLE ${tool} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${password}'`,
  );
  await client.query(`GRANT ${quoteIdent(migrationRole)} TO ${tool}`);
  await client.query(`ALTER ROLE ${tool} SET role = '${migrationRole.replace(/'/g, "''")}'`);
}
