/**
 * The rule contract. One file per rule in `rules/<id>.ts` exporting a `Rule`, one doc in
 * `rules/<id>.md`; `rules/index.ts` is the catalogue; rules import it through src/lint/api.ts.
 * Rule ids are public API (docs/ARCHITECTURE.md "The JSON contract").
 */
import { ruleDocsBase } from '../meta.js';
import type { RuleFinding, RuleSetting } from '../model.js';

export type RuleKind = 'graph' | 'roundtrip' | 'sql';
export type { RuleSetting };

export interface RuleMeta {
  id: string;
  kind: RuleKind;
  /** `off` for opt-in rules (revision-message-convention, model-drift, lock-timeout-missing). */
  defaultSeverity: RuleSetting;
  /** One line: what the rule catches. Shown by `migration-guard rules`. */
  summary: string;
  /** Default fix advice, used when a finding gives no `help` of its own. */
  help: string;
  /**
   * Rules whose findings on the same revision are consequences of this rule's finding (one
   * cause, one finding): they are reported under it as `related`, not on their own.
   */
  explains?: readonly string[];
}

export type { RuleFinding } from '../model.js';

/** A finding a rule's `explains` may claim as its consequence. */
export interface Consequence {
  rule: string;
  subjects: readonly string[];
  /** The would-be cause's own subjects, to match the object both are about. */
  causeSubjects?: readonly string[];
  /**
   * Both findings name the same statement (or one of them names none). Without
   * `explainsConsequence` a consequence must; a rule that narrows decides per consequence.
   */
  sameStatement?: boolean;
}

/** Two table or `table.column` names for the same object (`public.` and case aside). */
export function sameObjectName(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const norm = (n: string) =>
    n
      .toLowerCase()
      .replace(/"/g, '')
      .replace(/^public\./, '');
  return norm(a) === norm(b);
}

export interface Rule<Ctx> {
  meta: RuleMeta;
  check(ctx: Ctx): RuleFinding[];
  /**
   * Narrows `meta.explains`: true when this rule's finding is the cause of that consequence
   * (default: every finding of an explained rule on the same revision is).
   */
  explainsConsequence?(consequence: Consequence): boolean;
}

export function ruleDocsUrl(id: string): string {
  return `${ruleDocsBase()}/${id}.md`;
}
