import type { Rule } from '../src/rules/types.js';

/** Ignore-comment problems of one revision file, found by src/rules/ignores.ts. */
export interface IgnoreProblemsContext {
  revision: string | null;
  file: string;
  problems: ReadonlyArray<{ line: number; message: string }>;
}

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
