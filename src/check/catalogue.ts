/**
 * The rules a check runs, handed down by the composition root (src/check.ts), which alone
 * imports the catalogue (rules/index.ts). The stages below pass each engine its part.
 */
import type { GraphRuleContext } from '../alembic/rule-context.js';
import type { CauseRule } from '../lint/group.js';
import type { IgnoreProblemsContext } from '../lint/ignores.js';
import type { Rule } from '../lint/types.js';
import type { ProjectRoundTripContext, RoundTripRuleContext } from '../roundtrip/rule-context.js';
import type { SqlRuleContext } from '../sql/rule-context.js';

export interface RuleCatalogue {
  graph: ReadonlyArray<Rule<GraphRuleContext>>;
  roundTrip: ReadonlyArray<Rule<RoundTripRuleContext>>;
  /** Round-trip rules about the whole project (the base upgrade), run once. */
  projectRoundTrip: ReadonlyArray<Rule<ProjectRoundTripContext>>;
  sql: ReadonlyArray<Rule<SqlRuleContext>>;
  invalidIgnore: Rule<IgnoreProblemsContext>;
  /** Every rule: ids an ignore may name, and what each rule's findings explain. */
  all: ReadonlyArray<CauseRule>;
}
