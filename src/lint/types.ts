/**
 * The rule contract. One file per rule in `rules/<id>.ts` exporting a `Rule`, one doc in
 * `rules/<id>.md`; `rules/index.ts` is the catalogue; rules import it through src/lint/api.ts.
 * Rule ids are public API (docs/ARCHITECTURE.md "The JSON contract").
 */
import { ruleDocsBase } from '../meta.js';
import type { RuleSetting, Severity } from '../model.js';

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

/** What a rule's check returns; the pipeline turns it into a report Finding. */
export interface RuleFinding {
  message: string;
  help?: string;
  /** Revision the finding belongs to; null/absent = project-level. */
  revision?: string | null;
  /** File relative to the repository root. */
  file?: string | null;
  line?: number | null;
  statement?: string | null;
  /** Overrides the configured severity only when a rule has two levels of its own. */
  severity?: Severity;
  /**
   * What the finding is about, one item per object or error (the schema difference lines, the
   * database error), for a rule that explains it to decide whether it is the cause.
   */
  subjects?: string[];
}

/** A finding a rule's `explains` may claim as its consequence. */
export interface Consequence {
  rule: string;
  subjects: readonly string[];
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
