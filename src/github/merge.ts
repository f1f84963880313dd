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
  const projects = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const durationMs = Math.max(0, ...reports.map((r) => r.summary.durationMs));
  return {
    version: REPORT_VERSION,
    tool: reports[0]?.tool ?? { name: TOOL_NAME, version: TOOL_VERSION },
    projects,
    summary: summarize(projects, durationMs),
  };
}
