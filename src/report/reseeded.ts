/**
 * Which revisions ran on rows seeded afresh: after a failed step the database is rebuilt and
 * seeded again for the schema the next revision starts from (src/roundtrip/run.ts), so every
 * revision after it ran on those rows, not on the ones seeded after the base upgrade. Pure
 * function of the revisions; the text and markdown reporters say it once per project.
 */
import type { RevisionReport } from './model.js';

export interface Reseeded {
  /** The revision whose failure made the run rebuild and seed again. */
  after: string;
  /** The revisions that ran on those rows, in order. */
  revisions: string[];
}

export function reseededGroups(revisions: readonly RevisionReport[]): Reseeded[] {
  const out: Reseeded[] = [];
  for (const r of revisions) {
    const after = r.data?.reseededAfter;
    if (after === undefined) continue;
    const last = out[out.length - 1];
    if (last?.after === after) last.revisions.push(r.id);
    else out.push({ after, revisions: [r.id] });
  }
  return out;
}

/** `7 revision(s) (r04 … r10) ran on rows seeded afresh after r03 failed` (ids as `code`). */
export function reseededSentence(group: Reseeded, code: (id: string) => string = (id) => id): string {
  const ids = group.revisions;
  const first = ids[0] ?? '';
  const last = ids[ids.length - 1] ?? '';
  const which = ids.length === 1 ? code(first) : `${ids.length} revisions, ${code(first)} … ${code(last)}`;
  return `${which} ran on rows seeded afresh after ${code(group.after)} failed (the database was rebuilt)`;
}
