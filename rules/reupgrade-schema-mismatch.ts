import type { RoundTripRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'reupgrade-schema-mismatch',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary: 'Upgrading again after a downgrade gives a different schema than the first upgrade.',
    help: 'Make upgrade() independent of leftovers (create what it needs unconditionally) and make downgrade() remove what upgrade() creates.',
  },
  check({ revision, relFile, upgradeLine }) {
    if (revision.reupgradeDiff.length === 0) return [];
    return [
      {
        message: `upgrade to ${revision.id} gives a different schema the second time: ${revision.reupgradeDiff.join('; ')}`,
        file: relFile,
        subjects: revision.reupgradeDiff,
        line: upgradeLine ?? null,
      },
    ];
  },
};
