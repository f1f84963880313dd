/**
 * Runs rules and turns their RuleFindings into report Findings: applies the configured
 * severity (`off` drops the rule), fills help and the docs URL.
 */
import type { Finding, Severity } from '../model.js';
import type { Rule, RuleFinding, RuleMeta, RuleSetting } from './types.js';
import { ruleDocsUrl } from './types.js';

export type RuleSettings = Readonly<Record<string, RuleSetting>>;

export function effectiveSetting(meta: RuleMeta, settings: RuleSettings): RuleSetting {
  return settings[meta.id] ?? meta.defaultSeverity;
}

export function isEnabled(meta: RuleMeta, settings: RuleSettings): boolean {
  return effectiveSetting(meta, settings) !== 'off';
}

/** A Finding plus the revision it belongs to (null = project-level). */
export interface PlacedFinding {
  revision: string | null;
  finding: Finding;
  /** RuleFinding.subjects, for root-cause grouping (not part of the report). */
  subjects?: string[];
}

export function toFinding(meta: RuleMeta, f: RuleFinding, settings: RuleSettings): PlacedFinding | null {
  const setting = effectiveSetting(meta, settings);
  if (setting === 'off') return null;
  // A rule may lower one finding to a warning; configuration decides the ceiling.
  const severity: Severity = setting === 'warning' ? 'warning' : (f.severity ?? setting);
  return {
    revision: f.revision ?? null,
    ...(f.subjects ? { subjects: f.subjects } : {}),
    finding: {
      rule: meta.id,
      severity,
      message: f.message,
      help: f.help ?? meta.help,
      docsUrl: ruleDocsUrl(meta.id),
      file: f.file ?? null,
      line: f.line ?? null,
      statement: f.statement ?? null,
      ignored: false,
      ignoreReason: null,
    },
  };
}

export function runRules<Ctx>(
  rules: ReadonlyArray<Rule<Ctx>>,
  ctx: Ctx,
  settings: RuleSettings,
): PlacedFinding[] {
  const out: PlacedFinding[] = [];
  for (const rule of rules) {
    if (!isEnabled(rule.meta, settings)) continue;
    for (const f of rule.check(ctx)) {
      const placed = toFinding(rule.meta, f, settings);
      if (placed) out.push(placed);
    }
  }
  return out;
}
