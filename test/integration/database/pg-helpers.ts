/** Small helpers shared by the database integration tests. */
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { Logger } from '../../../src/log.js';
import { silentLogger } from '../../../src/log.js';

export async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Tables, views, sequences, functions and types that a user (not the system) created. */
export async function userObjectCount(url: string): Promise<number> {
  const rows = await query<{ n: string }>(
    url,
    `select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%')
          + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname not in ('pg_catalog', 'information_schema')) as n`,
  );
  return Number(rows[0]?.n);
}

/** Resolves when `check` turns true (polled), rejects after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

export function gone(dir: string): boolean {
  return !existsSync(dir);
}

/** A logger that keeps its debug lines. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...silentLogger, debug: (m) => lines.push(m), lines };
}
