import { duration, observedBlocks, type RoundTripRuleContext, type Rule } from '../src/lint/api.js';

export const rule: Rule<RoundTripRuleContext> = {
  meta: {
    id: 'observed-full-scan',
    kind: 'roundtrip',
    defaultSeverity: 'error',
    summary:
      'A statement read a whole existing table under a lock that blocks writes, seen on the seeded data (warning; error when the estimated lock time exceeds max-lock-ms).',
    help: 'Split the check from the lock: add constraints NOT VALID and VALIDATE them separately, build indexes CONCURRENTLY, or run it in a maintenance window.',
  },
  check({ revision, relFile, maxLockMs }) {
    return observedBlocks(revision, 'scanned').map((b) => {
      const over = b.estimatedLockMs !== null && b.estimatedLockMs > (maxLockMs ?? 2000);
      const estimate = b.basis ? ` Estimated at production size: ${b.basis}.` : '';
      return {
        message: `${b.statement.sql.split('\n')[0]?.trim()} read all of ${b.table} under ${b.mode} (observed on the seeded rows in ${Math.round(b.statement.durationMs)} ms).${estimate}${over ? ` That is over max-lock-ms (${duration(maxLockMs ?? 2000)}).` : ''}`,
        file: relFile,
        line: b.statement.line,
        statement: b.statement.sql,
        severity: over ? 'error' : 'warning',
      };
    });
  },
};
