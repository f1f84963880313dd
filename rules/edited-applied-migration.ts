import type { GraphRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'edited-applied-migration',
    kind: 'graph',
    defaultSeverity: 'error',
    summary: 'A revision that already exists on the base branch had its code or parents changed.',
    help: 'Revert the change to the applied revision and put the new behaviour in a new revision (`alembic revision -m "..."`).',
  },
  check({ analysis }) {
    return analysis.editedDetails.map((e) => ({
      message: `revision ${e.id} is already on ${analysis.base ?? 'the base'} (databases have run it) but its ${e.changed.map(describe).join(' and ')} changed; databases that applied it will never run the new code`,
      revision: null,
      file: e.relFile,
      line: e.line,
    }));
  },
};

function describe(part: 'upgrade' | 'downgrade' | 'down_revision'): string {
  return part === 'down_revision' ? 'down_revision' : `${part}()`;
}
