import { describeExample, type RoundTripRuleContext, type Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'downgrade-fails-with-data',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary: 'The downgrade succeeds on empty tables but fails on tables with rows.',
    help: 'Make downgrade() work on the rows the upgraded schema allows (values the old schema rejects, NULLs, duplicates): convert or clean them before restoring the old constraint or type.',
  },
  check({ revision, relFile }) {
    const failure = revision.data?.failure;
    if (failure?.phase !== 'downgrade' || failure.succeedsOnEmpty !== true) return [];
    const step = revision.steps.find((s) => s.phase === 'downgrade');
    if (!step || step.ok) return [];
    const example = failure.example ? ` Example row: ${describeExample(failure.example)}.` : '';
    const detail = failure.detail && !failure.example ? ` (${failure.detail})` : '';
    return [
      {
        message: `downgrade of ${revision.id} fails on tables with rows and succeeds on empty ones: ${step.error ?? 'unknown error'}${detail}.${example}`,
        file: relFile,
        line: step.errorLine,
        statement: step.failedStatement,
      },
    ];
  },
};
