/**
 * Whether a step that failed on the seeded database also fails without data: the same
 * revision replayed on an empty copy of the base (empty-copy.ts). The driver is pointed at the
 * copy for the replay and back at the test database after it.
 */
import pg from 'pg';
import type { DriverClient } from '../driver/client.js';
import type { ExecutedStatement } from '../model.js';
import type { EmptyTemplate } from './empty-copy.js';
import { downgradeTarget, type ParentsOf } from './lineage.js';
import { toExecutedStatement } from './steps.js';

export interface EmptyReplay {
  /**
   * True when the step succeeds on the empty copy, false when it fails there too (upgrade
   * only), null when the replay proves nothing (a parent failed, or env.py ignored the URL).
   */
  succeeds: boolean | null;
  /**
   * The statements `id`'s upgrade ran on the copy when it succeeded there: the whole upgrade,
   * also past the statement the rows broke (the SQL lint reads them). Null otherwise.
   */
  upgradeStatements: ExecutedStatement[] | null;
}

export async function replayOnEmptyCopy(
  template: EmptyTemplate,
  driver: DriverClient,
  phase: 'upgrade' | 'downgrade',
  id: string,
  parentsOf: ParentsOf,
  databaseUrl: string,
): Promise<EmptyReplay> {
  const nothing: EmptyReplay = { succeeds: null, upgradeStatements: null };
  return template.withCopy(async (url) => {
    await driver.setUrl(url);
    try {
      for (const parent of parentsOf(id)) if (!(await driver.upgrade(parent)).ok) return nothing;
      // Not observed: what a statement rewrote or scanned on empty tables says nothing of the rows.
      const up = await driver.upgrade(id);
      if (!up.ok) return phase === 'upgrade' ? { succeeds: false, upgradeStatements: null } : nothing;
      if (!(await recordsRevision(url, id))) return nothing;
      if (phase === 'upgrade')
        return { succeeds: true, upgradeStatements: up.statements.map(toExecutedStatement) };
      return {
        succeeds: (await driver.downgrade(downgradeTarget(id, parentsOf))).ok,
        upgradeStatements: null,
      };
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
