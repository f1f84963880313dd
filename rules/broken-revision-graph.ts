import type { GraphRuleContext, Rule, RuleFinding } from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'broken-revision-graph',
    kind: 'graph',
    defaultSeverity: 'error',
    summary:
      'A down_revision points at no revision, revisions form a cycle, two files share an id, or a file has no id.',
    help: 'Fix the revision identifiers so every down_revision names an existing revision exactly once and the history has no cycle.',
  },
  check({ analysis }) {
    const { graph } = analysis;
    const out: RuleFinding[] = [];
    // A file Python could not import may be the missing parent; the round trip reports that error.
    const unreadable = analysis.problems.some((p) => p.importError);
    if (!unreadable) {
      for (const u of graph.unknownParents) {
        const file = analysis.parsed.get(u.id);
        out.push({
          message: `revision ${u.id} has ${u.kind} "${u.parent}", which is no revision in ${analysis.project.id}'s version locations`,
          file: u.relFile,
          line: file?.revisionLine ?? null,
        });
      }
    }
    for (const cycle of graph.cycles) {
      const first = analysis.parsed.get(cycle[0] ?? '');
      out.push({
        message: `revisions ${cycle.join(' → ')} form a cycle: alembic cannot order them`,
        file: first?.relFile ?? null,
        line: first?.revisionLine ?? null,
      });
    }
    for (const d of graph.duplicates) {
      const second = analysis.files.find((f) => f.revision === d.id && f.relFile === d.relFiles[1]);
      out.push({
        message: `revision id ${d.id} is declared by ${d.relFiles.length} files: ${d.relFiles.join(', ')}`,
        help: 'Give the copied revision a new id (alembic revision generates one) and point its down_revision at the right parent.',
        file: d.relFiles[1] ?? null,
        line: second?.revisionLine ?? null,
      });
    }
    for (const p of analysis.problems) {
      if (p.importError) continue;
      out.push({ message: p.message, file: p.relFile, line: p.line });
    }
    return out;
  },
};
