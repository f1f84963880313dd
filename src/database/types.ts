/** The throwaway PostgreSQL a run migrates: one fresh database on a server we may own. */
import type { MigrationRoleMode } from '../config.js';

export type { MigrationRoleMode };

export type DatabaseProvider = 'container' | 'local' | 'url';

export interface CreateDatabaseOptions {
  migrationRole?: MigrationRoleMode;
}

export interface Database extends AsyncDisposable {
  /**
   * postgresql://role:password@host:port/migration_guard_<hex>: what the migrations get. As the
   * migration role (restricted), or as the admin user (superuser mode).
   */
  url: string;
  /**
   * The same database for migration-guard's own sessions (snapshots, resets, data capture):
   * they run as the migration role but log in as a role it cannot cancel or terminate
   * (src/database/roles.ts). `url` itself in superuser mode.
   */
  sessionUrl: string;
  /** `url` with the password replaced by `***`: safe for logs and reports. */
  maskedUrl: string;
  /**
   * The same database as the admin user: for this tool's own setup and tests, never handed to
   * the pull request's code.
   */
  adminUrl: string;
  /** The database name, migration_guard_<hex>. */
  name: string;
  /** The login role the migrations run as (named like the database); null in superuser mode. */
  role: string | null;
  migrationRole: MigrationRoleMode;
  /** e.g. "15.14" (the first word of server_version). */
  serverVersion: string;
  /** e.g. 150014 (server_version_num). */
  serverVersionNum: number;
  provider: DatabaseProvider;
  /** Drops the database (and stops the server when it owns one). Idempotent. */
  dispose(): Promise<void>;
}

export interface DatabaseServer extends AsyncDisposable {
  provider: DatabaseProvider;
  serverVersion: string;
  serverVersionNum: number;
  /**
   * CREATE ROLE + CREATE DATABASE migration_guard_<hex> owned by it (restricted, the default);
   * its dispose drops both (the database WITH (FORCE)).
   */
  createDatabase(options?: CreateDatabaseOptions): Promise<Database>;
  /** Drops what it created, stops the container/cluster it owns, deletes temp dirs. Idempotent. */
  dispose(): Promise<void>;
}

/** A PostgreSQL installation found on this machine (the local provider and its template cache). */
export interface PostgresBinaries {
  bindir: string;
  /** Major version reported by `postgres --version`, e.g. 15. */
  major: number;
  /** Full version, e.g. "15.14". */
  version: string;
}
