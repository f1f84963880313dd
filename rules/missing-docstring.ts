import { type GraphRuleContext, pendingRevisions, type Rule } from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'missing-docstring',
    kind: 'graph',
    defaultSeverity: 'warning',
    summary: 'The revision file has no module docstring, so the revision has no message.',
    help: 'Start the file with a docstring whose first line says what the revision does (alembic revision -m "..." writes one).',
  },
  check(ctx) {
    return pendingRevisions(ctx)
      .filter((rev) => rev.docstring === null || rev.docstring.trim() === '')
      .map((rev) => ({
        message: `revision ${rev.revision} has no docstring: \`alembic history\` shows it without a message`,
        revision: rev.revision,
        file: rev.relFile,
        line: 1,
      }));
  },
};
