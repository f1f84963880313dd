import type { RoundTripRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'model-drift',
    kind: 'roundtrip',
    defaultSeverity: 'off',
    summary:
      "After upgrading to heads the database differs from the models' metadata (alembic compare_metadata).",
    help: 'Generate the missing migration with `alembic revision --autogenerate` and review it, or update the models.',
  },
  check({ modelDrift, relFile }) {
    if (!modelDrift || modelDrift.length === 0) return [];
    return [
      {
        message: `the models and the migrated database differ after upgrading to heads: ${modelDrift.join('; ')}`,
        file: relFile,
        line: null,
      },
    ];
  },
};
