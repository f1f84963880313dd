/**
 * The report model: one versioned JSON object (docs/ARCHITECTURE.md "The JSON contract"),
 * built from the shared model (src/model.ts). Every reporter is a pure function of a Report
 * and reads only this module. Its fields are public API: extra fields may be added, never
 * renamed or removed.
 */
import type { FailOn, Finding, StepResult } from '../model.js';
import { failsRun } from '../model.js';

// Reporters read the shared types through the report model.
export type {
  ExecutedStatement,
  FailOn,
  Finding,
  LockInfo,
  Phase,
  RelatedFinding,
  Severity,
  StepResult,
} from '../model.js';

export const REPORT_VERSION = 1 as const;

/** How the round trip of one revision went on the populated tables (issue "populated database"). */
export interface RevisionDataReport {
  /**
   * ok: upgrade, downgrade and re-upgrade passed on the rows and the downgrade gave them back
   * (values of a column or table the upgrade dropped are the drop's, not the downgrade's);
   * upgrade-fails / downgrade-fails: a step failed on the rows (and succeeded on empty tables
   * when `succeedsOnEmpty`); loses-data: the downgrade did not give the rows back;
   * not-run: the round trip did not get that far.
   */
  verdict: 'ok' | 'upgrade-fails' | 'downgrade-fails' | 'loses-data' | 'not-run';
  /** Rows per table before the upgrade (tables with rows). */
  rows: Record<string, number>;
  succeedsOnEmpty?: boolean | null;
  /**
   * The revision whose failure made the run rebuild the database before this one: it ran on
   * synthetic rows seeded afresh for the schema it starts from (absent: on the rows seeded
   * after the base upgrade).
   */
  reseededAfter?: string;
}

/** The rows the round trip ran with. */
export interface SeedReport {
  /** Synthetic rows per table requested (0: only the user's SQL). */
  rowsPerTable: number;
  randomSeed: number;
  /** Rows the seeder added, per table. */
  tables: Record<string, number>;
  /** Tables that could not be filled, with why. */
  unfilled: Record<string, string>;
  /** The user's --seed-sql file and whether it ran. */
  userSql: { file: string; ok: boolean; error: string | null } | null;
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
  /** The round trip on populated tables; absent when it ran on empty tables. */
  data?: RevisionDataReport;
  /**
   * Why this revision was not checked at all (the base branch or a parent failed, the revision
   * graph cannot place it); absent or null when it was.
   */
  notChecked?: string | null;
  /** Why the downgrade and re-upgrade did not run after its upgrade (declared irreversible). */
  roundTripSkipped?: string | null;
  /**
   * Set when the revision changes rows: what data the round trip ran on, so what it did not
   * prove about the data branch.
   */
  dataNote?: string | null;
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
  /** Seeding of the populated database; null/absent when the round trip ran on empty tables. */
  seed?: SeedReport | null;
  /**
   * What the check could not look at and why (the base release's models do not import, for
   * breaks-deployed-app): information, never a failure. Absent when there is nothing to say.
   */
  notes?: string[];
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
  /**
   * Set on the partial report written when the run was cancelled (SIGINT/SIGTERM): what it
   * was doing and the pending revisions that were not checked (`<project>: <revision>`).
   */
  interrupted?: { signal: string; during: string; notChecked: string[] } | null;
  /**
   * The sandbox the pull request's Python ran in (README.md "Security"): its kind and the host
   * uid the code ran as; null when it ran without one. Absent in reports of older versions.
   */
  sandbox?: ReportSandbox | null;
}

export interface ReportSandbox {
  /** namespaces: started as root; sudo: through `sudo -n`; user-namespace: unprivileged. */
  kind: 'namespaces' | 'sudo' | 'user-namespace';
  /** Host uid of the Python (65534 = nobody); null when unknown. */
  uid: number | null;
  /**
   * database-only: its own network namespace, the throwaway database through the tool's Unix
   * socket; shared: the host's network (TLS required by the URL, or no network namespace).
   * Absent in reports of older versions.
   */
  network?: 'database-only' | 'shared';
}

/** One short line on the sandbox, for the text and markdown reports; null in older reports. */
export function sandboxLine(report: Report): string | null {
  if (report.sandbox === undefined) return null;
  if (report.sandbox === null) return "sandbox: none, the migrations' Python ran unsandboxed";
  const uid = report.sandbox.uid === null ? '' : ` (uid ${report.sandbox.uid})`;
  const network = report.sandbox.network ? `, network: ${report.sandbox.network}` : '';
  return `sandbox: ${report.sandbox.kind}${uid}${network}`;
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

/** The exit policy's count: findings that fail the run under `failOn` (src/exit.ts maps it to a code). */
export function failingFindingsCount(report: Report, failOn: FailOn): number {
  return allFindings(report).filter((f) => failsRun(f, failOn)).length;
}
