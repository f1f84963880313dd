import type { RoundTripRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'downgrade-failed',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary: 'The revision upgrades but its downgrade() fails right after.',
    help: 'Make downgrade() undo exactly what upgrade() did, in reverse order, with the same names.',
  },
  check({ revision, relFile }) {
    const step = revision.steps.find((s) => s.phase === 'downgrade');
    if (!step || step.ok) return [];
    // Fails only because of the rows: downgrade-fails-with-data says so instead.
    const failure = revision.data?.failure;
    if (failure?.phase === 'downgrade' && failure.succeedsOnEmpty === true) return [];
    return [
      {
        message: `downgrade of ${revision.id} failed right after its upgrade: ${step.error ?? 'unknown error'}`,
        file: relFile,
        line: step.errorLine,
        statement: step.failedStatement,
        subjects: [step.error ?? ''],
      },
    ];
  },
};
