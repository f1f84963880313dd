import type { GraphRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'multiple-heads',
    kind: 'graph',
    defaultSeverity: 'error',
    summary: 'The revision history has more than one head after this change.',
    help: 'Run `alembic merge heads -m "merge heads"` (or rebase the new revision onto the current head) and commit the result.',
  },
  check({ analysis }) {
    if (analysis.heads.length <= 1) return [];
    // A head whose history reaches a down_revision that names no revision is a head only because
    // its chain is cut off: broken-revision-graph reports that cause (alembic refuses to load the
    // directory before any "multiple heads" could happen), so it is not counted twice here.
    const { graph } = analysis;
    const cut = new Set(graph.unknownParents.filter((u) => u.kind === 'down_revision').map((u) => u.id));
    const detached = (head: string): boolean =>
      cut.has(head) || [...graph.ancestors(head)].some((id) => cut.has(id));
    if (analysis.heads.filter((h) => !detached(h)).length <= 1) return [];
    const pendingHeads = analysis.heads.filter((h) => analysis.pending.includes(h));
    // Point at a head the pull request adds: that is the file to rebase or merge.
    const culprit = analysis.parsed.get(pendingHeads[0] ?? analysis.heads[0] ?? '');
    const before =
      analysis.baseHeads.length > 1 ? ` (the base already had ${analysis.baseHeads.length} heads)` : '';
    return [
      {
        message: `${analysis.heads.length} heads: ${analysis.heads.join(', ')}${before}; \`alembic upgrade head\` fails until they are merged with \`alembic merge heads\``,
        revision: null,
        file: culprit?.relFile ?? null,
        line: culprit?.revisionLine ?? null,
      },
    ];
  },
};
