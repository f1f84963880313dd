/** Revisions of a broken graph that alembic cannot load (issue #14 item 7). */
import type { StaticAnalysis } from './analyze.js';

/**
 * Revisions the static graph cannot place: on a cycle, above a down_revision that names no
 * revision, or descending from one of those. alembic cannot load them, so the round trip leaves
 * them out (broken-revision-graph names the cause) and checks the rest.
 */
export function unplaceableRevisions(analysis: StaticAnalysis): Map<string, string> {
  const { graph } = analysis;
  const out = new Map<string, string>();
  for (const cycle of graph.cycles)
    for (const id of cycle) out.set(id, `revisions ${cycle.join(' → ')} form a cycle`);
  // A parent Python could not import is the round trip's own finding (upgrade-failed), not the graph's.
  if (!analysis.problems.some((p) => p.importError)) {
    for (const u of graph.unknownParents) out.set(u.id, `its ${u.kind} "${u.parent}" is no revision`);
  }
  let grew = out.size > 0;
  while (grew) {
    grew = false;
    for (const [id, node] of graph.revisions) {
      if (out.has(id)) continue;
      const parent = [...node.downRevisions, ...node.dependsOn].find((p) => out.has(p));
      if (parent !== undefined) {
        out.set(id, `its ancestor ${parent} is not in the revision graph`);
        grew = true;
      }
    }
  }
  return out;
}
