/**
 * The round trip's bookkeeping: the step records built from what the driver answered (a
 * command, a crash, a revision that did not import or did not run), the import errors by
 * revision, and the timings of the run. The runner (run.ts) decides what runs; this file only
 * writes down what happened.
 */
import path from 'node:path';
import type { CommandResult, LoadResult } from '../driver/client.js';
import { DriverCrashError, type DriverRequestError } from '../driver/client.js';
import type { ExecutedStatement, Phase } from '../model.js';
import type {
  BaseFailure,
  RevisionRoundTrip,
  RoundTripInput,
  RoundTripResult,
  RoundTripRevision,
  RoundTripStep,
} from './types.js';

/** Durations (summed, unrounded: many sub-millisecond parts) and counters of one run. */
export class RunTimings {
  private readonly values: Record<string, number> = {};

  time(key: string, ms: number): void {
    this.values[key] = (this.values[key] ?? 0) + ms;
  }

  count(key: string): void {
    this.values[key] = (this.values[key] ?? 0) + 1;
  }

  rounded(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.values).map(([k, v]) => [k, Math.round(v)]));
  }
}

/** Revision files that do not import, by revision id (the file when no revision matches). */
export function importErrorsById(
  loaded: LoadResult,
  revisions: RoundTripRevision[],
): Map<string, { message: string; line: number | null }> {
  const out = new Map<string, { message: string; line: number | null }>();
  for (const err of loaded.importErrors) {
    const rev = revisions.find((r) => path.resolve(r.file) === path.resolve(err.file));
    const where = err.line ? ` (line ${err.line})` : '';
    out.set(rev?.id ?? err.file, { message: `${err.error}${where}`, line: err.line ?? null });
  }
  return out;
}

export function notRunRevision(id: string, notRun: string | null): RevisionRoundTrip {
  return {
    id,
    steps: [],
    schemaRestored: null,
    downgradeDiff: [],
    reupgradeDiff: [],
    importError: null,
    durationMs: 0,
    notRun,
  };
}

export function toExecutedStatement(s: CommandResult['statements'][number]): ExecutedStatement {
  const out: ExecutedStatement = {
    sql: s.sql,
    line: s.line,
    durationMs: s.durationMs,
    locks: s.locks,
    bookkeeping: s.bookkeeping,
    revision: s.revision,
    error: s.error,
  };
  if (s.inTransaction !== null) out.inTransaction = s.inTransaction;
  if (s.inTransactionBefore !== undefined) out.inTransactionBefore = s.inTransactionBefore;
  if (s.lockTimeoutMs !== undefined) out.lockTimeoutMs = s.lockTimeoutMs;
  if (s.statementTimeoutMs !== undefined) out.statementTimeoutMs = s.statementTimeoutMs;
  if (s.observed) out.observed = s.observed;
  return out;
}

export function toStep(phase: Phase, command: CommandResult): RoundTripStep {
  return {
    phase,
    ok: command.ok,
    durationMs: Math.round(command.durationMs),
    error: command.error,
    statements: command.statements.map(toExecutedStatement),
    errorLine: command.errorLine,
    failedStatement: command.failedStatement,
    errorDetail: command.errorDetail ?? null,
    errorRevision: command.errorRevision,
  };
}

export function failedStep(phase: Phase, error: string, line: number | null): RoundTripStep {
  return { phase, ok: false, durationMs: 0, error, statements: [], errorLine: line, failedStatement: null };
}

export function crashedStep(phase: Phase, e: DriverCrashError | DriverRequestError): RoundTripStep {
  const last = e instanceof DriverCrashError ? e.lastStatement : null;
  const statements: ExecutedStatement[] = last
    ? [
        {
          sql: last.sql,
          line: last.line,
          durationMs: 0,
          locks: [],
          revision: last.revision,
          error: e.message,
        },
      ]
    : [];
  return {
    phase,
    ok: false,
    durationMs: 0,
    error: e.message,
    statements,
    errorLine: last?.line ?? null,
    failedStatement: last?.sql ?? null,
  };
}

export function mergeSteps(steps: RoundTripStep[]): RoundTripStep | null {
  const first = steps[0];
  if (!first) return null;
  const failed = steps.find((s) => !s.ok);
  return {
    phase: 'upgrade',
    ok: !failed,
    durationMs: steps.reduce((sum, s) => sum + s.durationMs, 0),
    error: failed?.error ?? null,
    statements: steps.flatMap((s) => s.statements),
    errorLine: failed?.errorLine ?? null,
    failedStatement: failed?.failedStatement ?? null,
    errorRevision: failed?.errorRevision ?? null,
  };
}

/** The result of a run, as the runner ends it (after the revisions, or when the base failed). */
export function roundTripResult(
  baseUpgrade: RoundTripStep | null,
  revisions: RevisionRoundTrip[],
  drift: { modelDrift: string[] | null; modelDriftNote: string | null },
  loaded: LoadResult | null,
  timings: RunTimings,
  seed: RoundTripResult['seed'] | undefined,
): RoundTripResult {
  return {
    baseUpgrade,
    revisions,
    modelDrift: drift.modelDrift,
    modelDriftNote: drift.modelDriftNote,
    driver: loaded
      ? {
          alembicVersion: loaded.alembicVersion,
          sqlalchemyVersion: loaded.sqlalchemyVersion,
          pythonVersion: loaded.pythonVersion,
        }
      : undefined,
    timings: timings.rounded(),
    seed: seed ?? null,
  };
}

/**
 * The record of a revision that cannot run, or null when it can: its file does not import, a
 * parent broke, or the driver does not know it (its parent does not import). `breaks` is why
 * its descendants cannot run either; `line` is what the log says.
 */
export function blockedRevision(
  id: string,
  importError: { message: string; line: number | null } | undefined,
  parents: string[],
  broken: ReadonlyMap<string, string>,
  driverKnows: boolean,
): { record: RevisionRoundTrip; breaks: string; line: string } | null {
  if (importError !== undefined) {
    const step = failedStep('upgrade', importError.message, importError.line ?? null);
    return {
      record: { ...notRunRevision(id, null), steps: [step], importError: importError.message },
      breaks: `${id} does not import`,
      line: `${id} upgrade failed: ${importError.message}`,
    };
  }
  const blockedBy = parents.find((p) => broken.has(p));
  if (blockedBy === undefined && driverKnows) return null;
  const why = blockedBy !== undefined ? broken.get(blockedBy) : 'its parent does not import';
  return {
    record: notRunRevision(id, `not checked: ${why}`),
    breaks: why ?? `${id} did not run`,
    line: `${id} not run: ${why}`,
  };
}

/**
 * Names the base revision behind a failed base upgrade. A base file that does not import makes
 * alembic say only "Can't locate revision …": its import error is the real one.
 */
export function baseFailureOf(
  step: RoundTripStep,
  loaded: LoadResult,
  input: Pick<RoundTripInput, 'pending' | 'revisions' | 'projectDir'>,
): BaseFailure {
  const pending = new Set(input.pending);
  const byFile = (file: string) =>
    input.revisions.find((r) => r.file !== '' && path.resolve(r.file) === path.resolve(file));
  const baseImport = loaded.importErrors
    .map((e) => ({ e, rev: byFile(e.file) }))
    .find(({ rev }) => rev === undefined || !pending.has(rev.id));
  if (baseImport) {
    return {
      revision: baseImport.rev?.id ?? null,
      file: baseImport.rev?.relFile ?? path.relative(input.projectDir, baseImport.e.file),
      line: baseImport.e.line,
      error: baseImport.e.error,
    };
  }
  const rev = step.errorRevision ? input.revisions.find((r) => r.id === step.errorRevision) : undefined;
  return {
    revision: step.errorRevision ?? null,
    file: rev?.relFile ?? null,
    line: step.errorLine,
    error: step.error ?? 'unknown error',
  };
}
