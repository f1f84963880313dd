/**
 * Public entry of the SQL rules: lints the statements one revision's upgrade executed.
 * Each statement is parsed once; the rules then read the shared context.
 */
import type { BaseModels } from '../alembic/base-models.js';
import type { LockTimeoutPolicy } from '../config.js';
import type { ExecutedStatement } from '../model.js';
import type { PlacedFinding, RuleSettings } from './run.js';
import { runRules } from './run.js';
import type { Rule } from './types.js';
import type { SqlRuleContext } from '../sql/rule-context.js';
import { buildContext } from '../sql/rule-context.js';
import type { ExistingIndex } from '../sql/revision-schema.js';
import type { ParseOutcome } from '../sql/parser.js';
import { loadParser, parseSql } from '../sql/parser.js';

export interface SqlLintInput {
  revision: string;
  /** Revision file relative to the repository root, for findings. */
  file: string;
  /** Revision file text (unnamed-constraint reads the Python calls); null when unavailable. */
  source: string | null;
  /** The FIRST upgrade step of the revision, in execution order. */
  statements: ExecutedStatement[];
  /** server_version_num, e.g. 150014. */
  serverVersionNum: number;
  settings: RuleSettings;
  lockTimeout?: LockTimeoutPolicy | null;
  /** exclusive-lock-held threshold; default 1000 ms. */
  slowStatementMs?: number;
  /** Table → column lists of its indexes before the revision (from the schema snapshot). */
  existingIndexes?: Record<string, string[][]>;
  /** Index name → table and columns before the revision (DROP INDEX knows what it removed). */
  existingIndexNames?: Record<string, ExistingIndex>;
  /** Table → column → format_type() before the revision, so column-type-change knows safe widenings. */
  existingColumnTypes?: Record<string, Record<string, string>>;
  /** True when the project's MetaData has a naming_convention (env.py / models). */
  namingConvention?: boolean;
  /** The base branch's models (src/alembic/base-models.ts); null/absent = unknown. */
  baseModels?: BaseModels | null;
  /** Rows per table before the upgrade on a populated round trip; null/absent = empty tables. */
  tableRows?: Readonly<Record<string, number>> | null;
}

const NO_STATEMENTS: ParseOutcome = { ok: true, statements: [] };

/** Lints one revision's statements with `rules` (the catalogue's SQL statement rules). */
export async function lintRevisionSql(
  input: SqlLintInput,
  rules: ReadonlyArray<Rule<SqlRuleContext>>,
): Promise<PlacedFinding[]> {
  await loadParser();
  // A step may run several revisions (one transaction for all); keep this revision's statements.
  const statements = input.statements.filter((s) => !s.revision || s.revision === input.revision);
  const parsed = statements.map((s) => (s.bookkeeping ? NO_STATEMENTS : parseSql(s.sql)));
  const ctx = buildContext({ ...input, statements }, parsed);
  return runRules(rules, ctx, input.settings);
}
