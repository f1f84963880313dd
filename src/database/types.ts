/** The throwaway PostgreSQL a run migrates: one fresh database on a server we may own. */
export type DatabaseProvider = 'container' | 'local' | 'url';

export interface Database extends AsyncDisposable {
  /** postgresql://user:password@host:port/migration_guard_<hex> */
  url: string;
  /** `url` with the password replaced by `***`: safe for logs and reports. */
  maskedUrl: string;
  /** The database name, migration_guard_<hex>. */
  name: string;
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
  /** CREATE DATABASE migration_guard_<hex>; its dispose drops it WITH (FORCE). */
  createDatabase(): Promise<Database>;
  /** Drops what it created, stops the container/cluster it owns, deletes temp dirs. Idempotent. */
  dispose(): Promise<void>;
}
