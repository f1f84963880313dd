import type { GraphRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'deleted-applied-migration',
    kind: 'graph',
    defaultSeverity: 'error',
    summary: 'A revision that exists on the base branch was deleted.',
    help: 'Restore the revision file; to undo its effect, add a new revision that reverses it.',
  },
  check({ analysis }) {
    return analysis.deleted.map((d) => ({
      message: `revision ${d.id} (${d.relFile}) is on ${analysis.base ?? 'the base'} but was deleted; databases at that revision fail with "Can't locate revision identified by '${d.id}'"`,
      revision: null,
      file: d.relFile,
      line: null,
    }));
  },
};
