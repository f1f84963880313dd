/**
 * Everything a rule may use, in one import (docs/ARCHITECTURE.md "Add a rule in three
 * steps"). A rule in rules/<id>.ts imports this module and nothing else of the tool: like an
 * ESLint rule, it sees only its context and the helpers listed here, so the engines can change
 * behind it. The catalogue (rules/index.ts) is handed to the engines by the composition roots.
 */

// The rule contract.
export type { Consequence, Rule, RuleFinding, RuleKind, RuleMeta, RuleSetting } from './types.js';
export { sameObjectName } from './types.js';
export type { Severity } from '../model.js';

// The three contexts: the revision graph, one revision's round trip, one revision's SQL.
export type { GraphRuleContext } from '../alembic/rule-context.js';
export { pendingRevisions } from '../alembic/rule-context.js';
// The round trip on a populated database: an example row as one line.
export { describeExample } from '../roundtrip/data-example.js';
// What the server was observed doing per statement on the seeded data.
export { observedBlocks, observationText } from '../roundtrip/observed.js';
export { duration } from '../roundtrip/estimate.js';
// Data an upgrade dropped on purpose is the drop's finding, not its downgrade's.
export { downgradeLosses, upgradeDrops } from '../roundtrip/upgrade-drops.js';
export type {
  DeployedAppBreak,
  ProjectRoundTripContext,
  RoundTripRuleContext,
} from '../roundtrip/rule-context.js';
export type { DeclaredIrreversible } from '../alembic/irreversible.js';
export { declaredIrreversible, statesReason } from '../alembic/irreversible.js';
export type { AnalyzedStatement, SqlRuleContext, UnparsableStatement } from '../sql/rule-context.js';
export { dataChangeTarget, formatServerVersion, parseLockTimeout } from '../sql/rule-context.js';
export type { IgnoreProblemsContext } from './ignores.js';

// Helpers over the parse tree and the statements.
export * from '../sql/ast.js';
export * from '../sql/rule-helpers.js';
export type { IndexInfo } from '../sql/revision-schema.js';
export { writtenIdentifiers } from '../sql/parser.js';

// Reading the revision's Python source without running it.
export type { PythonCall } from '../python/source.js';
export { findCalls, keywordArgument, lexPython, positionalArguments } from '../python/source.js';

// Defaults a rule falls back on.
export { DEFAULT_NAMING } from '../config.js';
