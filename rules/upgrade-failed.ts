import type { RoundTripRuleContext, Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'upgrade-failed',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary: 'The revision does not upgrade on a fresh database (or its file does not even import).',
    help: 'Run `alembic upgrade <revision>` on an empty database locally and fix the error it shows.',
  },
  check({ revision, relFile }) {
    if (revision.importError !== null) {
      return [
        {
          message: `${relFile} does not import: ${revision.importError}`,
          help: 'Fix the Python error: alembic imports every revision file, so this one breaks every alembic command.',
          file: relFile,
          line: revision.steps[0]?.errorLine ?? null,
        },
      ];
    }
    // Not checked because something else failed (the base branch, a parent, the graph): that
    // cause has its own finding, and the report marks this revision "not checked".
    if (revision.notRun) return [];
    const step = revision.steps.find((s) => s.phase === 'upgrade');
    if (!step || step.ok) return [];
    // Fails only because of the rows: upgrade-fails-with-data says so instead.
    const failure = revision.data?.failure;
    if (failure?.phase === 'upgrade' && failure.succeedsOnEmpty === true) return [];
    return [
      {
        message: `upgrade to ${revision.id} failed: ${step.error ?? 'unknown error'}`,
        file: relFile,
        line: step.errorLine,
        statement: step.failedStatement,
      },
    ];
  },
};
