/**
 * Whether a step that failed on the seeded database also fails without data: the same
 * revision replayed on an empty copy of the base (empty-copy.ts). The driver is pointed at the
 * copy for the replay and back at the test database after it.
 */
import pg from 'pg';
import type { DriverClient } from '../driver/client.js';
import type { EmptyTemplate } from './empty-copy.js';
import { downgradeTarget, type ParentsOf } from './lineage.js';

/**
 * True when `phase` of `id` succeeds on the empty copy, false when it fails there too (upgrade
 * only), null when the replay proves nothing (a parent failed, or env.py ignored the URL).
 */
export async function replayOnEmptyCopy(
  template: EmptyTemplate,
  driver: DriverClient,
  phase: 'upgrade' | 'downgrade',
  id: string,
  parentsOf: ParentsOf,
  databaseUrl: string,
): Promise<boolean | null> {
  return template.withCopy(async (url) => {
    await driver.setUrl(url);
    try {
      for (const parent of parentsOf(id)) if (!(await driver.upgrade(parent)).ok) return null;
      const up = await driver.upgrade(id);
      if (!up.ok) return phase === 'upgrade' ? false : null;
      if (!(await recordsRevision(url, id))) return null;
      if (phase === 'upgrade') return true;
      return (await driver.downgrade(downgradeTarget(id, parentsOf))).ok;
    } finally {
      if (driver.alive) await driver.setUrl(databaseUrl);
    }
  });
}

/** The database at `url` records `revision` as applied. */
async function recordsRevision(url: string, revision: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const rows = await client.query<{ v: string }>('select version_num as v from alembic_version');
    return rows.rows.some((r) => r.v === revision);
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
