import type { Rule } from '../src/rules/types.js';
import type { SqlRevisionContext } from '../src/sql/context.js';
import { findingAt } from '../src/sql/rule-helpers.js';

export const rule: Rule<SqlRevisionContext> = {
  meta: {
    id: 'sql-parse-error',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary: "An executed statement that PostgreSQL's parser (libpg-query) could not parse, so no SQL rule checked it.",
    help: 'Check the statement by hand; if it is valid for your server version, ignore this finding with a reason.',
  },
  check(ctx) {
    return ctx.unparsable.map((u) =>
      findingAt(ctx, u, `Could not parse this statement (${u.error}), so the SQL safety rules did not check it`),
    );
  },
};
