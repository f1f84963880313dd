/**
 * The rule stage of one project's pending revisions: for each, the round-trip rules on what
 * its round trip did and the SQL lint on the statements its upgrade executed; and the
 * revision records of the report, whose findings the findings stage fills in.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StaticAnalysis } from '../alembic/analyze.js';
import type { BaseModels } from '../alembic/base-models.js';
import type { AlembicProject } from '../alembic/locate.js';
import type { Config } from '../config.js';
import type { PlacedFinding } from '../lint/run.js';
import { runRules } from '../lint/run.js';
import type { RevisionDataReport, RevisionReport } from '../report/model.js';
import type { ExecutedStatement, Finding } from '../model.js';
import { observationText } from '../roundtrip/observed.js';
import { dataNoteOf } from '../roundtrip/data-note.js';
import type { RevisionRoundTrip } from '../roundtrip/run.js';
import { downgradeLosses } from '../roundtrip/upgrade-drops.js';
import { lintRevisionSql } from '../lint/sql.js';
import type { RuleCatalogue } from './catalogue.js';
import type { DatabaseStage } from './database.js';
import { placeDeployFailures } from './deploy.js';

export interface RevisionsStage {
  revisions: RevisionReport[];
  findings: PlacedFinding[];
  /** Revision file text by its path relative to the repository root (for ignore comments). */
  sources: Map<string, string>;
  /** Revision id → its file relative to the repository root. */
  revisionFiles: Map<string, string>;
}

export async function revisionsStage(
  config: Config,
  project: AlembicProject,
  analysis: StaticAnalysis,
  db: DatabaseStage,
  rules: RuleCatalogue,
  /** The base branch's models (src/check/base-models.ts); null when not read. */
  baseModels: BaseModels | null = null,
): Promise<RevisionsStage> {
  const out: RevisionsStage = { revisions: [], findings: [], sources: new Map(), revisionFiles: new Map() };
  const roundTrip = db.roundTrip;
  if (roundTrip) {
    out.findings.push(
      ...runRules(
        rules.projectRoundTrip,
        {
          baseFailure: roundTrip.baseFailure ?? null,
          baseHeads: analysis.baseHeads,
          pending: analysis.pending,
        },
        config.rules,
      ),
    );
  }
  const namingConvention = await usesNamingConvention(project);
  const probe = db.deployProbe;
  const deployed =
    roundTrip && probe?.known
      ? placeDeployFailures(probe.failures, roundTrip, analysis.pending, probe.commit)
      : null;
  for (const id of analysis.pending) {
    const parsed = analysis.parsed.get(id);
    const relFile = parsed?.relFile ?? '';
    out.revisionFiles.set(id, relFile);
    const source = parsed ? await readFile(parsed.file, 'utf8').catch(() => null) : null;
    if (source !== null) out.sources.set(relFile, source);
    const rt: RevisionRoundTrip | undefined = roundTrip?.revisions.find((r) => r.id === id);
    if (rt) {
      // Model drift is a property of the whole history; it is reported on the last pending revision.
      const isLast = id === analysis.pending[analysis.pending.length - 1];
      out.findings.push(
        ...runRules(
          rules.roundTrip,
          {
            revision: rt,
            relFile,
            modelDrift: isLast ? (roundTrip?.modelDrift ?? null) : null,
            deployedApp: deployed?.get(id) ?? null,
            upgradeLine: parsed?.upgrade?.defLine ?? null,
            downgradeLine: parsed?.downgrade?.defLine ?? null,
            maxLockMs: config.maxLockMs,
          },
          config.rules,
        ).map((p) => ({ ...p, revision: p.revision ?? id })),
      );
      const upgrade = rt.steps.find((s) => s.phase === 'upgrade');
      const linted = upgrade ? lintedStatements(upgrade.statements, rt.emptyRunStatements) : [];
      if (upgrade) {
        const sqlFindings = await lintRevisionSql(
          {
            revision: id,
            file: relFile,
            source,
            statements: linted,
            serverVersionNum: db.serverVersionNum,
            settings: config.rules,
            lockTimeout: config.lockTimeout,
            existingIndexes: rt.schemaBefore?.indexes,
            existingIndexNames: rt.schemaBefore?.indexesByName,
            existingColumnTypes: rt.schemaBefore?.columnTypes,
            namingConvention,
            baseModels,
            tableRows: rt.data?.rows ?? null,
          },
          rules.sql,
        );
        out.findings.push(
          ...sqlFindings.map((p) => ({
            ...p,
            revision: p.revision ?? id,
            finding: citeObservation(p.finding, linted),
          })),
        );
      }
    }
    out.revisions.push({
      id,
      downRevisions: parsed?.downRevisions ?? [],
      file: relFile,
      message: parsed?.message ?? null,
      pending: true,
      steps: rt?.steps ?? [],
      schemaRestored: rt ? rt.schemaRestored : null,
      findings: [],
      durationMs: rt ? Math.round(rt.durationMs) : undefined,
      ...(rt?.data ? { data: dataReport(rt) } : {}),
      ...(rt?.notRun ? { notChecked: rt.notRun.replace(/^not (run|checked): /, '') } : {}),
      ...(rt?.skippedAfterUpgrade ? { roundTripSkipped: rt.skippedAfterUpgrade } : {}),
      ...dataNoteOf(rt, source),
    });
  }
  return out;
}

/**
 * A MetaData naming_convention makes constraint names deterministic, so unnamed-constraint
 * stays quiet. Seen statically in env.py (models imported from elsewhere are not followed).
 */
async function usesNamingConvention(project: AlembicProject): Promise<boolean> {
  const envPy = await readFile(path.join(project.scriptLocation, 'env.py'), 'utf8').catch(() => '');
  return /\bnaming_convention\b/.test(envPy);
}

/** The "with data" verdict of one revision (the round trip ran on populated tables). */
function dataReport(rt: RevisionRoundTrip): RevisionDataReport {
  const data = rt.data as NonNullable<RevisionRoundTrip['data']>;
  const failure = data.failure;
  let verdict: RevisionDataReport['verdict'];
  if (failure) verdict = failure.phase === 'upgrade' ? 'upgrade-fails' : 'downgrade-fails';
  // What the upgrade dropped on purpose is the drop's finding, not a loss of the downgrade.
  else if (downgradeLosses(rt).length > 0) verdict = 'loses-data';
  else if (rt.steps.length === 3 && rt.steps.every((s) => s.ok)) verdict = 'ok';
  else verdict = 'not-run';
  const out: RevisionDataReport = { verdict, rows: data.rows };
  if (failure) out.succeedsOnEmpty = failure.succeedsOnEmpty;
  if (data.reseededAfter !== undefined) out.reseededAfter = data.reseededAfter;
  return out;
}

/**
 * The statements the SQL lint reads: the upgrade's, and when it failed on the seeded rows and
 * succeeded on an empty copy, the empty run's statements after the one that failed, so one run
 * reports everything the upgrade does. The seeded run's statements come first (what they
 * observed on rows is the better evidence); when the two runs differ before the failure, the
 * empty run alone.
 */
function lintedStatements(
  upgrade: ExecutedStatement[],
  emptyRun: ExecutedStatement[] | undefined,
): ExecutedStatement[] {
  if (!emptyRun) return upgrade;
  const samePrefix = upgrade.every((st, i) => emptyRun[i]?.sql === st.sql);
  return samePrefix ? [...upgrade, ...emptyRun.slice(upgrade.length)] : emptyRun;
}

/** A lock rule's finding on a statement the driver observed says what the server did. */
function citeObservation(finding: Finding, statements: ExecutedStatement[]): Finding {
  if (!finding.statement) return finding;
  const st = statements.find(
    (x) => x.sql === finding.statement || (finding.line !== null && x.line === finding.line && x.observed),
  );
  const text = st ? observationText(st) : null;
  return text ? { ...finding, message: `${finding.message} (${text})` } : finding;
}
