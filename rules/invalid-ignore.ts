import type { IgnoreProblemsContext, Rule } from '../src/lint/api.js';

export const rule: Rule<IgnoreProblemsContext> = {
  meta: {
    id: 'invalid-ignore',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary:
      'A `# migration-guard: ignore` comment without a reason or naming an unknown rule (ignores nothing).',
    help: 'Write `# migration-guard: ignore <rule-id>[, <rule-id>] -- <reason>` with ids from `migration-guard rules`.',
  },
  check(ctx) {
    return ctx.problems.map((p) => ({
      message: p.message,
      revision: ctx.revision,
      file: ctx.file,
      line: p.line,
      statement: null,
    }));
  },
};
