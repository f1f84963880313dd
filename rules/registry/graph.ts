/** The graph rules, in catalog order. Each rule lives in rules/<id>.ts with its doc rules/<id>.md. */
import type { GraphRuleContext, Rule } from '../../src/lint/api.js';
import { rule as brokenRevisionGraph } from '../broken-revision-graph.js';
import { rule as deletedAppliedMigration } from '../deleted-applied-migration.js';
import { rule as editedAppliedMigration } from '../edited-applied-migration.js';
import { rule as emptyDowngrade } from '../empty-downgrade.js';
import { rule as irreversibleDowngrade } from '../irreversible-downgrade.js';
import { rule as missingDocstring } from '../missing-docstring.js';
import { rule as multipleHeads } from '../multiple-heads.js';
import { rule as revisionMessageConvention } from '../revision-message-convention.js';

export const graphRules: ReadonlyArray<Rule<GraphRuleContext>> = [
  multipleHeads,
  brokenRevisionGraph,
  editedAppliedMigration,
  deletedAppliedMigration,
  emptyDowngrade,
  irreversibleDowngrade,
  missingDocstring,
  revisionMessageConvention,
];
