/**
 * The rule registry: every rule of the catalog (DESIGN.md), by kind. A unit test checks that
 * each registered rule has rules/<id>.ts, rules/<id>.md, a test table and a README row, and
 * that nothing else exists.
 */
import type { RuleMeta } from '../src/rules/types.js';
import { graphRules } from './registry/graph.js';
import { roundTripRules } from './registry/roundtrip.js';
import { sqlRules } from './registry/sql.js';

export { graphRules, roundTripRules, sqlRules };

export const allRules: ReadonlyArray<{ meta: RuleMeta }> = [...graphRules, ...roundTripRules, ...sqlRules];

export function findRule(id: string): { meta: RuleMeta } | undefined {
  return allRules.find((r) => r.meta.id === id);
}

export const knownRuleIds: readonly string[] = allRules.map((r) => r.meta.id);
