import { type GraphRuleContext, pendingRevisions, type Rule, type RuleFinding } from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'empty-downgrade',
    kind: 'graph',
    defaultSeverity: 'error',
    summary: 'downgrade() does nothing (pass) and no comment says why the revision cannot be reversed.',
    help: 'Write the downgrade that reverses upgrade(), or state why it is irreversible in a comment inside downgrade().',
    // A downgrade that does nothing leaves everything upgrade() did, so the upgrade cannot run again.
    explains: ['downgrade-leaves-trace', 'reupgrade-failed', 'reupgrade-schema-mismatch'],
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const rev of pendingRevisions(ctx)) {
      const down = rev.downgrade;
      if (!down || !down.empty || down.reason !== null) continue;
      // A revision whose upgrade does nothing either (a merge revision, a placeholder) is reversible.
      if (rev.upgrade?.empty) continue;
      out.push({
        message: `revision ${rev.revision} has an empty downgrade(): rolling back skips what upgrade() did`,
        revision: rev.revision,
        file: rev.relFile,
        line: down.defLine,
      });
    }
    return out;
  },
};
