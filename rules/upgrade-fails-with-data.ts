import { describeExample, type RoundTripRuleContext, type Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'upgrade-fails-with-data',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary:
      'The upgrade succeeds on empty tables but fails on tables with rows (duplicates, NULLs, text a cast cannot read).',
    help: 'Make the upgrade work on the data production has: clean or backfill the rows first (in an earlier revision), then add the constraint, index or type.',
  },
  check({ revision, relFile }) {
    const failure = revision.data?.failure;
    if (failure?.phase !== 'upgrade' || failure.succeedsOnEmpty !== true) return [];
    const step = revision.steps.find((s) => s.phase === 'upgrade');
    if (!step || step.ok) return [];
    const example = failure.example ? ` Example row: ${describeExample(failure.example)}.` : '';
    const detail = failure.detail && !failure.example ? ` (${failure.detail})` : '';
    return [
      {
        message: `upgrade to ${revision.id} fails on tables with rows and succeeds on empty ones: ${step.error ?? 'unknown error'}${detail}.${example}`,
        file: relFile,
        line: step.errorLine,
        statement: step.failedStatement,
      },
    ];
  },
};
