/**
 * One pending revision of the `populated` fixture project through the round trip on seeded
 * tables, then the round-trip rules: shared by the populated tests of every database provider.
 */
import { roundTripRules } from '../../../rules/index.js';
import { silentLogger } from '../../../src/log.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { runRoundTrip, type RoundTripResult } from '../../../src/roundtrip/run.js';
import { runRules } from '../../../src/lint/run.js';
import type { Rule } from '../../../src/lint/types.js';
import { configPath, driverPath, fixtureRevisions, projectDir } from './fixtures.js';

const PROJECT = 'populated';

export async function populatedRoundTrip(
  databaseUrl: string,
  python: string[],
  pending: string | string[],
  seedRows = 200,
  adminUrl?: string,
): Promise<{
  result: RoundTripResult;
  findings: Array<{ rule: string; message: string; revision: string }>;
}> {
  const revisions = fixtureRevisions(PROJECT);
  const result = await runRoundTrip({
    configPath: configPath(PROJECT),
    projectDir: projectDir(PROJECT),
    python,
    databaseUrl,
    databaseUrlEnv: 'DATABASE_URL',
    revisions,
    baseHeads: ['p0base'],
    pending: Array.isArray(pending) ? pending : [pending],
    statementTimeoutMs: 30_000,
    stepTimeoutMs: 60_000,
    modelDrift: false,
    log: silentLogger,
    driverPath,
    seed: seedRows > 0 ? { rows: seedRows, randomSeed: 1, userSql: null } : null,
    adminUrl,
  });
  if (result.revisions.length === 0) throw new Error('no revision');
  const findings = result.revisions.flatMap((rev) =>
    runRules(
      roundTripRules as ReadonlyArray<Rule<RoundTripRuleContext>>,
      { revision: rev, relFile: revisions.find((r) => r.id === rev.id)?.relFile ?? '', downgradeLine: null },
      {},
    ).map((p) => ({ rule: p.finding.rule, message: p.finding.message, revision: rev.id })),
  );
  return { result, findings };
}

/** The superuser's URL of the database `url` points at (what check() passes as adminUrl). */
export function adminUrlOf(serverUrl: string, url: string): string {
  const admin = new URL(serverUrl);
  admin.pathname = new URL(url).pathname;
  return admin.toString();
}
