/** What graph and file rules (rules/<id>.ts of kind `graph`) get to look at. */
import type { StaticAnalysis } from './analyze.js';
import type { ParsedRevision } from './types.js';

export interface GraphRuleContext {
  analysis: StaticAnalysis;
  /** Regex for revision messages (`naming:` in .migration-guard.yml); null = the default. */
  naming: string | null;
}

/** Pending revisions with their parsed files, in topological order: what revision-level rules check. */
export function pendingRevisions(ctx: GraphRuleContext): ParsedRevision[] {
  const out: ParsedRevision[] = [];
  for (const id of ctx.analysis.pending) {
    const parsed = ctx.analysis.parsed.get(id);
    if (parsed) out.push(parsed);
  }
  return out;
}
