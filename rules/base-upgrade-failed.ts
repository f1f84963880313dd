import type { ProjectRoundTripContext, Rule } from '../src/lint/api.js';

export const rule: Rule<ProjectRoundTripContext> = {
  meta: {
    id: 'base-upgrade-failed',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary:
      'Upgrading an empty database to the base branch heads fails, so no pending revision could be checked.',
    help: 'Fix the base branch first (or install what its revisions import in this job); the pending revisions are checked once the base upgrades.',
  },
  check({ baseFailure, baseHeads, pending }) {
    if (!baseFailure) return [];
    const which = baseFailure.revision
      ? `base revision ${baseFailure.revision}`
      : `the base heads (${baseHeads.join(', ')})`;
    const notChecked = pending.length > 0 ? `; ${pending.length} pending revision(s) not checked` : '';
    return [
      {
        message: `upgrading to the base branch fails at ${which}: ${baseFailure.error}${notChecked}`,
        revision: null,
        file: baseFailure.file,
        line: baseFailure.line,
      },
    ];
  },
};
