import type { RoundTripRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'reupgrade-failed',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary: 'Upgrading again after upgrade + downgrade fails: the downgrade left something behind.',
    help: 'Make downgrade() drop everything upgrade() creates (types, indexes, sequences), so the upgrade can run again.',
  },
  check({ revision, relFile }) {
    const step = revision.steps.find((s) => s.phase === 'reupgrade');
    if (!step || step.ok) return [];
    const left =
      revision.downgradeDiff.length > 0 ? ` (the downgrade left: ${revision.downgradeDiff.join('; ')})` : '';
    return [
      {
        message: `upgrade to ${revision.id} fails after its downgrade: ${step.error ?? 'unknown error'}${left}`,
        file: relFile,
        line: step.errorLine,
        statement: step.failedStatement,
        subjects: [step.error ?? ''],
      },
    ];
  },
};
