/** The sql rules, in catalog order. Each rule lives in rules/<id>.ts with its doc rules/<id>.md. */
import type { Rule, RuleMeta, SqlRuleContext } from '../../src/lint/api.js';
import { rule as checkConstraintNotValid } from '../check-constraint-not-valid.js';
import { rule as columnTypeChange } from '../column-type-change.js';
import { rule as concurrentIndexInTransaction } from '../concurrent-index-in-transaction.js';
import { rule as dropTable } from '../drop-table.js';
import { rule as exclusiveLockHeld } from '../exclusive-lock-held.js';
import { rule as foreignKeyNotValid } from '../foreign-key-not-valid.js';
import { rule as foreignKeyWithoutIndex } from '../foreign-key-without-index.js';
import { rule as invalidIgnore } from '../invalid-ignore.js';
import { rule as lockTimeoutMissing } from '../lock-timeout-missing.js';
import { rule as mixedDataAndSchema } from '../mixed-data-and-schema.js';
import { rule as notNullColumnWithoutDefault } from '../not-null-column-without-default.js';
import { rule as renameColumn } from '../rename-column.js';
import { rule as renameTable } from '../rename-table.js';
import { rule as requireConcurrentIndex } from '../require-concurrent-index.js';
import { rule as requireConcurrentIndexDrop } from '../require-concurrent-index-drop.js';
import { rule as setNotNull } from '../set-not-null.js';
import { rule as sqlParseError } from '../sql-parse-error.js';
import { rule as twoStepColumnDrop } from '../two-step-column-drop.js';
import { rule as uniqueConstraintWithoutIndex } from '../unique-constraint-without-index.js';
import { rule as unnamedConstraint } from '../unnamed-constraint.js';
import { rule as volatileDefault } from '../volatile-default.js';
import { rule as truncateCascade } from '../truncate-cascade.js';
import { rule as dropDatabase } from '../drop-database.js';
import { rule as transactionControlInMigration } from '../transaction-control-in-migration.js';
import { rule as exclusionConstraint } from '../exclusion-constraint.js';
import { rule as generatedColumnRewrite } from '../generated-column-rewrite.js';
import { rule as tableRewriteCommand } from '../table-rewrite-command.js';
import { rule as reindexWithoutConcurrently } from '../reindex-without-concurrently.js';
import { rule as refreshMaterializedViewBlocking } from '../refresh-materialized-view-blocking.js';
import { rule as domainConstraint } from '../domain-constraint.js';
import { rule as identifierTooLong } from '../identifier-too-long.js';
import { rule as statementTimeoutMissing } from '../statement-timeout-missing.js';
import { rule as preferBigintPrimaryKey } from '../prefer-bigint-primary-key.js';
import { rule as preferIdentity } from '../prefer-identity.js';
import { rule as preferTimestamptz } from '../prefer-timestamptz.js';
import { rule as preferTextOverVarchar } from '../prefer-text-over-varchar.js';

/** Rules run on a revision's executed statements (src/lint/sql.ts). */
export const sqlStatementRules: ReadonlyArray<Rule<SqlRuleContext>> = [
  requireConcurrentIndex,
  requireConcurrentIndexDrop,
  concurrentIndexInTransaction,
  twoStepColumnDrop,
  dropTable,
  notNullColumnWithoutDefault,
  setNotNull,
  columnTypeChange,
  foreignKeyNotValid,
  checkConstraintNotValid,
  uniqueConstraintWithoutIndex,
  foreignKeyWithoutIndex,
  renameColumn,
  renameTable,
  mixedDataAndSchema,
  unnamedConstraint,
  volatileDefault,
  lockTimeoutMissing,
  exclusiveLockHeld,
  truncateCascade,
  dropDatabase,
  transactionControlInMigration,
  exclusionConstraint,
  generatedColumnRewrite,
  tableRewriteCommand,
  reindexWithoutConcurrently,
  refreshMaterializedViewBlocking,
  domainConstraint,
  identifierTooLong,
  statementTimeoutMissing,
  preferBigintPrimaryKey,
  preferIdentity,
  preferTimestamptz,
  preferTextOverVarchar,
  sqlParseError,
];

/** invalid-ignore runs where ignores are applied (src/lint/ignores.ts), on every revision file. */
export { invalidIgnore as invalidIgnoreRule };

export const sqlRules: ReadonlyArray<{ meta: RuleMeta }> = [...sqlStatementRules, invalidIgnore];
