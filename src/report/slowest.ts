/**
 * The slowest round-trip steps of a report, for audits of long histories (`--all`): where the
 * time of a 300-revision run went. Pure function of the Report; the text and markdown
 * reporters show it.
 */
import type { Phase, Report } from './model.js';

export interface SlowStep {
  project: string;
  revision: string;
  file: string;
  phase: Phase;
  durationMs: number;
}

export interface SlowestSteps {
  /** Revisions whose round trip ran (at least one step). */
  revisions: number;
  steps: number;
  slowest: SlowStep[];
}

/** Shown only when more than this many revisions ran: for a short run the table says it all. */
export const SLOWEST_MIN_REVISIONS = 5;
export const SLOWEST_LIMIT = 5;

/** The `limit` slowest steps, or null when at most SLOWEST_MIN_REVISIONS revisions ran. */
export function slowestSteps(report: Report, limit = SLOWEST_LIMIT): SlowestSteps | null {
  const all: SlowStep[] = [];
  let revisions = 0;
  for (const project of report.projects) {
    for (const r of project.revisions) {
      if (r.steps.length === 0) continue;
      revisions++;
      for (const s of r.steps) {
        all.push({
          project: project.id,
          revision: r.id,
          file: r.file,
          phase: s.phase,
          durationMs: s.durationMs,
        });
      }
    }
  }
  if (revisions <= SLOWEST_MIN_REVISIONS) return null;
  // Stable: equal durations keep report order (the history's order).
  const slowest = all
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.durationMs - a.s.durationMs || a.i - b.i)
    .slice(0, limit)
    .map(({ s }) => s);
  return { revisions, steps: all.length, slowest };
}
