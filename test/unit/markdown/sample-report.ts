/** Hand-built Reports for the reporter tests (markdown, SARIF, GitHub). */
import type {
  Finding,
  ProjectReport,
  Report,
  RevisionReport,
  StepResult,
} from '../../../src/report/model.js';
import { summarize } from '../../../src/report/model.js';
import { assertValidReport } from '../../helpers/report-schema.js';

export function finding(overrides: Partial<Finding> & Pick<Finding, 'rule'>): Finding {
  return {
    severity: 'error',
    message: `${overrides.rule} found`,
    help: `fix ${overrides.rule}`,
    docsUrl: `https://github.com/org/migration-guard/blob/main/rules/${overrides.rule}.md`,
    file: null,
    line: null,
    statement: null,
    ignored: false,
    ignoreReason: null,
    ...overrides,
  };
}

export function step(phase: StepResult['phase'], ok = true, sql: string[] = []): StepResult {
  return {
    phase,
    ok,
    durationMs: 12,
    error: ok ? null : `${phase} failed`,
    statements: sql.map((s, i) => ({
      sql: s,
      line: 10 + i,
      durationMs: 2,
      locks: [
        { relation: 'alembic_version', mode: 'AccessShareLock' },
        { relation: 'users', mode: 'AccessExclusiveLock' },
      ],
    })),
  };
}

export function revision(id: string, overrides: Partial<RevisionReport> = {}): RevisionReport {
  return {
    id,
    downRevisions: [],
    file: `migrations/versions/${id}_change.py`,
    message: `change ${id}`,
    pending: true,
    steps: [step('upgrade'), step('downgrade'), step('reupgrade')],
    schemaRestored: true,
    findings: [],
    durationMs: 40,
    ...overrides,
  };
}

export function project(revisions: RevisionReport[], overrides: Partial<ProjectReport> = {}): ProjectReport {
  return {
    id: 'alembic.ini',
    config: 'alembic.ini',
    base: 'a'.repeat(40),
    heads: revisions.length > 0 ? [revisions[revisions.length - 1]!.id] : [],
    baseHeads: ['base0001'],
    revisions,
    findings: [],
    skipped: null,
    ...overrides,
  };
}

/**
 * A Report of `projects`. Every fixture report the reporter tests build goes through here, and
 * each is checked against the published schema (schema/report.schema.json), so a fixture can
 * never hold a shape the tool would not write.
 */
export function report(projects: ProjectReport[]): Report {
  const built: Report = {
    version: 1,
    tool: { name: 'migration-guard', version: '0.1.0' },
    projects,
    summary: summarize(projects, 2871),
  };
  assertValidReport(built, 'a fixture report');
  return built;
}

export function cleanReport(): Report {
  return report([project([revision('a1b2c3'), revision('d4e5f6')])]);
}

/** One revision with an unsafe index, one that cannot be rolled back, an ignored finding, a project finding. */
export function failingReport(): Report {
  const unsafe = revision('a1b2c3', {
    message: 'add index on users | email',
    steps: [
      step('upgrade', true, ['CREATE INDEX ix_users_email ON users (email)']),
      step('downgrade', true, ['DROP INDEX ix_users_email']),
      step('reupgrade', true, ['CREATE INDEX ix_users_email ON users (email)']),
    ],
    findings: [
      finding({
        rule: 'require-concurrent-index',
        message: 'CREATE INDEX on existing table "users" blocks writes',
        file: 'migrations/versions/a1b2c3_change.py',
        line: 23,
        statement: 'CREATE INDEX ix_users_email ON users (email)',
      }),
      finding({
        rule: 'lock-timeout-missing',
        severity: 'warning',
        message: 'no lock_timeout set',
        file: 'migrations/versions/a1b2c3_change.py',
        line: 20,
      }),
      finding({
        rule: 'drop-table',
        ignored: true,
        ignoreReason: 'table is unused since v2',
        file: 'migrations/versions/a1b2c3_change.py',
        line: 30,
      }),
    ],
  });
  const irreversible = revision('d4e5f6', {
    downRevisions: ['a1b2c3'],
    steps: [step('upgrade'), step('downgrade', false)],
    schemaRestored: null,
    findings: [
      finding({
        rule: 'downgrade-failed',
        message: 'downgrade raised NotImplementedError',
        file: 'migrations/versions/d4e5f6_change.py',
        line: 41,
      }),
    ],
  });
  return report([
    project([unsafe, irreversible], {
      findings: [finding({ rule: 'multiple-heads', message: 'two heads: a1b2c3, d4e5f6' })],
    }),
  ]);
}
