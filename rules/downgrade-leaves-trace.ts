import type { RoundTripRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'downgrade-leaves-trace',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary: 'After upgrade + downgrade the schema differs from before the upgrade.',
    help: 'Drop in downgrade() everything upgrade() creates and restore everything it changes (indexes, enum types, defaults, constraints).',
    // What the downgrade left behind is why the upgrade cannot run again or runs differently.
    explains: ['reupgrade-failed', 'reupgrade-schema-mismatch'],
  },
  check({ revision, relFile, downgradeLine }) {
    if (revision.schemaRestored !== false || revision.downgradeDiff.length === 0) return [];
    return [
      {
        message: `downgrade of ${revision.id} does not restore the schema: ${revision.downgradeDiff.join('; ')}`,
        file: relFile,
        line: downgradeLine ?? null,
        subjects: revision.downgradeDiff,
      },
    ];
  },
};
