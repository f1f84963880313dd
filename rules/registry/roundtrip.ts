/** The roundtrip rules, in catalog order. Each rule lives in rules/<id>.ts with its doc rules/<id>.md. */
import type { RuleMeta } from '../../src/rules/types.js';

export const roundTripRules: ReadonlyArray<{ meta: RuleMeta }> = [];
