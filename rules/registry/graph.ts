/** The graph rules, in catalog order. Each rule lives in rules/<id>.ts with its doc rules/<id>.md. */
import type { RuleMeta } from '../../src/rules/types.js';

export const graphRules: ReadonlyArray<{ meta: RuleMeta }> = [];
