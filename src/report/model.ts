/**
 * The report model: one versioned JSON object (DESIGN.md "JSON report"). Every reporter is a
 * pure function of a Report. Fields named in DESIGN.md are public API; extra fields may be
 * added, never renamed or removed.
 */
export const REPORT_VERSION = 1 as const;

export type Severity = 'error' | 'warning';
export type Phase = 'upgrade' | 'downgrade' | 'reupgrade';

export interface LockInfo {
  /** Relation name as PostgreSQL shows it (schema-qualified when not in `public`). */
  relation: string;
  /** pg_locks.mode, e.g. `AccessExclusiveLock`, `ShareLock`. */
  mode: string;
}

export interface ExecutedStatement {
  sql: string;
  /** Line in the revision file of the innermost stack frame in that file; null when unknown. */
  line: number | null;
  durationMs: number;
  locks: LockInfo[];
  /** True when the statement ran inside a transaction block (false under autocommit). */
  inTransaction?: boolean;
  /** Alembic's own bookkeeping (alembic_version); rules skip these. */
  bookkeeping?: boolean;
  /** Revision the statement belongs to, when a step ran several revisions. */
  revision?: string | null;
  /** Database error raised by this statement, if it failed. */
  error?: string | null;
}

export interface StepResult {
  phase: Phase;
  ok: boolean;
  durationMs: number;
  error: string | null;
  statements: ExecutedStatement[];
  /** Readable schema differences found after this step (downgrade: vs before upgrade). */
  schemaDiff?: string[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  help: string;
  docsUrl: string;
  /** Path relative to the repository root (or project dir when not in git). */
  file: string | null;
  line: number | null;
  statement: string | null;
  ignored: boolean;
  ignoreReason: string | null;
}

export interface RevisionReport {
  id: string;
  downRevisions: string[];
  file: string;
  message: string | null;
  pending: boolean;
  steps: StepResult[];
  /** null when the round trip did not run (static-only run or upgrade failed). */
  schemaRestored: boolean | null;
  findings: Finding[];
  durationMs?: number;
}

export interface ProjectReport {
  /** Stable id of the project (its config path relative to the repository root). */
  id: string;
  config: string;
  base: string | null;
  heads: string[];
  baseHeads: string[];
  revisions: RevisionReport[];
  findings: Finding[];
  /** Set when the project was not checked (e.g. only-changed and nothing changed). */
  skipped?: string | null;
  /** What ran: "full" (round trip) or "static" (no database). */
  mode?: 'full' | 'static';
  /**
   * migrationRole: who the pull request's code connected as; `restricted` (a fresh login role
   * that is not a superuser) unless --migration-role superuser was given.
   */
  database?: {
    provider: string;
    serverVersion: string | null;
    migrationRole?: 'restricted' | 'superuser';
  } | null;
  timings?: Record<string, number>;
}

export interface ReportSummary {
  revisions: number;
  passed: number;
  errors: number;
  warnings: number;
  ignored: number;
  durationMs: number;
}

export interface Report {
  version: typeof REPORT_VERSION;
  tool: { name: string; version: string };
  projects: ProjectReport[];
  summary: ReportSummary;
}

/** Shown by the text and markdown reports when the migrations did not run least-privileged. */
export const SUPERUSER_WARNING =
  "migrations ran as a superuser (migration-role superuser): the pull request's SQL had full rights on the server (programs on the host, server settings, every database)";

export function securityWarnings(project: ProjectReport): string[] {
  return project.database?.migrationRole === 'superuser' ? [SUPERUSER_WARNING] : [];
}

export function allFindings(report: Report): Finding[] {
  return report.projects.flatMap((p) => [...p.findings, ...p.revisions.flatMap((r) => r.findings)]);
}

/** Recomputes the summary from the projects (reporters and merges rely on it being exact). */
export function summarize(projects: ProjectReport[], durationMs: number): ReportSummary {
  let errors = 0;
  let warnings = 0;
  let ignored = 0;
  let revisions = 0;
  let passed = 0;
  for (const p of projects) {
    const all = [...p.findings, ...p.revisions.flatMap((r) => r.findings)];
    for (const f of all) {
      if (f.ignored) ignored++;
      else if (f.severity === 'error') errors++;
      else warnings++;
    }
    for (const r of p.revisions) {
      revisions++;
      const blocking = r.findings.some((f) => !f.ignored && f.severity === 'error');
      const stepsOk = r.steps.every((s) => s.ok);
      if (!blocking && stepsOk && r.schemaRestored !== false) passed++;
    }
  }
  return { revisions, passed, errors, warnings, ignored, durationMs };
}
