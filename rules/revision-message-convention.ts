import {
  DEFAULT_NAMING,
  type GraphRuleContext,
  pendingRevisions,
  type Rule,
  type RuleFinding,
} from '../src/lint/api.js';

export const rule: Rule<GraphRuleContext> = {
  meta: {
    id: 'revision-message-convention',
    kind: 'graph',
    defaultSeverity: 'off',
    summary:
      'The revision message does not follow the naming convention (default `<action>_<entity>_<detail>`).',
    help: 'Rename the revision message, e.g. `add_users_email_index` (configure the pattern with `naming:` in .migration-guard.yml).',
  },
  check(ctx) {
    const pattern = ctx.naming ?? DEFAULT_NAMING;
    const re = new RegExp(pattern);
    const out: RuleFinding[] = [];
    for (const rev of pendingRevisions(ctx)) {
      // No message at all is missing-docstring's finding.
      if (rev.message === null) continue;
      if (re.test(rev.message)) continue;
      out.push({
        message: `revision ${rev.revision} message "${rev.message}" does not match ${pattern}`,
        revision: rev.revision,
        file: rev.relFile,
        line: 1,
      });
    }
    return out;
  },
};
