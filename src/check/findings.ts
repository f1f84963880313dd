/**
 * The findings stage of one project: ignores (inline comments and configuration) are applied,
 * consequences are grouped under their cause, and each finding is placed on its revision or,
 * without one, on the project.
 */
import type { Config } from '../config.js';
import { groupByCause } from '../lint/group.js';
import { applyIgnores } from '../lint/ignores.js';
import type { PlacedFinding } from '../lint/run.js';
import type { Finding, RevisionReport } from '../report/model.js';
import type { RuleCatalogue } from './catalogue.js';
import type { RevisionsStage } from './revisions.js';

/** Fills each revision's findings (sorted by line) and returns the project-level ones. */
export function placeFindings(
  config: Config,
  placed: PlacedFinding[],
  stage: RevisionsStage,
  rules: RuleCatalogue,
): Finding[] {
  const ignoresApplied = applyIgnores(placed, {
    sources: stage.sources,
    configIgnores: config.ignores,
    revisionFiles: stage.revisionFiles,
    settings: config.rules,
    knownRules: rules.all.map((r) => r.meta.id),
    invalidIgnoreRule: rules.invalidIgnore,
  });
  // One cause, one finding: consequences hang under the rule that names their cause.
  const final = groupByCause(ignoresApplied, rules.all);
  const projectFindings: Finding[] = [];
  const byId = new Map<string, RevisionReport>(stage.revisions.map((r) => [r.id, r]));
  for (const p of final) {
    const target = p.revision ? byId.get(p.revision) : undefined;
    if (target) target.findings.push(p.finding);
    else projectFindings.push(p.finding);
  }
  for (const r of stage.revisions) r.findings.sort(byLine);
  return projectFindings;
}

function byLine(a: Finding, b: Finding): number {
  return (a.line ?? 0) - (b.line ?? 0) || a.rule.localeCompare(b.rule);
}
