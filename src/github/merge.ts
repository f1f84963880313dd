/**
 * Merging the reports of a matrix of check jobs (one project each) into the one report the
 * sticky comment and the verdict are made from. Pure: no I/O.
 */
import { TOOL_NAME, TOOL_VERSION } from '../meta.js';
import type { ProjectReport, Report } from '../report/model.js';
import { REPORT_VERSION, summarize } from '../report/model.js';

/**
 * One report with every project of `reports`, sorted by id, and a summary recomputed from
 * them. A project that appears twice (a re-run job, or a skipped entry next to a checked one)
 * is kept once: a checked entry wins over a skipped one, and otherwise the later report wins.
 * The duration is the longest report's: matrix jobs run side by side.
 */
export function mergeReports(reports: readonly Report[]): Report {
  const byId = new Map<string, ProjectReport>();
  for (const report of reports) {
    for (const project of report.projects) {
      const earlier = byId.get(project.id);
      if (earlier && !earlier.skipped && project.skipped) continue;
      byId.set(project.id, project);
    }
  }
  const projects = [...byId.values()].sort(byId_);
  const durationMs = Math.max(0, ...reports.map((r) => r.summary.durationMs));
  return {
    version: REPORT_VERSION,
    tool: reports[0]?.tool ?? { name: TOOL_NAME, version: TOOL_VERSION },
    projects,
    summary: summarize(projects, durationMs),
  };
}

function byId_(a: ProjectReport, b: ProjectReport): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Why a project of the matrix is in the comment without results. */
export const MISSING_REPORT_REASON =
  'not checked: its check job wrote no report (see that job in the workflow run)';

/**
 * Adds the `expected` projects (the discover matrix's `project` values, relative to the
 * working directory) that no report covers, as skipped projects saying so, so the comment
 * never looks complete when a check job died before writing its report. A report's project id
 * is relative to the repository root: `backend/services/a/alembic.ini` covers
 * `services/a/alembic.ini`.
 */
export function withMissingProjects(
  report: Report,
  expected: readonly string[],
): { report: Report; missing: string[] } {
  const covers = (id: string, wanted: string) => id === wanted || id.endsWith(`/${wanted}`);
  const missing = [...new Set(expected)].filter((e) => !report.projects.some((p) => covers(p.id, e)));
  if (missing.length === 0) return { report, missing };
  const added: ProjectReport[] = missing.map((id) => ({
    id,
    config: id,
    base: null,
    heads: [],
    baseHeads: [],
    revisions: [],
    findings: [],
    skipped: MISSING_REPORT_REASON,
  }));
  const projects = [...report.projects, ...added].sort(byId_);
  return {
    report: { ...report, projects, summary: summarize(projects, report.summary.durationMs) },
    missing,
  };
}
