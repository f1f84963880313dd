import {
  declaredIrreversible,
  pendingRevisions,
  type GraphRuleContext,
  type Rule,
  type RuleFinding,
} from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'irreversible-downgrade',
    kind: 'graph',
    defaultSeverity: 'warning',
    summary:
      'downgrade() raises NotImplementedError, RuntimeError or CommandError and states why: the revision is declared irreversible.',
    help: 'Plan the rollback without alembic (a backup, a forward fix); make sure the deploy cannot need `alembic downgrade` past this revision.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const rev of pendingRevisions(ctx)) {
      const declared = declaredIrreversible(rev.downgrade);
      if (!declared || !rev.revision) continue;
      out.push({
        message: `declared irreversible: ${declared.reason} (downgrade() raises ${declared.exception}; the round trip stops after the upgrade)`,
        revision: rev.revision,
        file: rev.relFile,
        line: declared.line,
      });
    }
    return out;
  },
};
