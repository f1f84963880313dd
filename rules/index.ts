/**
 * The rule registry: every rule of the catalogue (docs/ARCHITECTURE.md), by kind. Only the
 * composition roots import it; they hand the rules to the engines. A unit test checks that
 * each registered rule has rules/<id>.ts, rules/<id>.md, a test table and a README row, and
 * that nothing else exists.
 */
import type { Consequence, RuleMeta } from '../src/lint/api.js';
import { graphRules } from './registry/graph.js';
import { projectRoundTripRules, roundTripRules } from './registry/roundtrip.js';
import { presetRuleSettings } from './registry/presets.js';
import { invalidIgnoreRule, sqlRules, sqlStatementRules } from './registry/sql.js';

export {
  graphRules,
  invalidIgnoreRule,
  presetRuleSettings,
  projectRoundTripRules,
  roundTripRules,
  sqlRules,
  sqlStatementRules,
};

export const allRules: ReadonlyArray<{ meta: RuleMeta; explainsConsequence?(c: Consequence): boolean }> = [
  ...graphRules,
  ...roundTripRules,
  ...projectRoundTripRules,
  ...sqlRules,
];

export function findRule(id: string): { meta: RuleMeta } | undefined {
  return allRules.find((r) => r.meta.id === id);
}

export const knownRuleIds: readonly string[] = allRules.map((r) => r.meta.id);
