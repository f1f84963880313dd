import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { buildSarif, renderSarif } from '../../../src/report/sarif.js';
import type { RuleMeta } from '../../../src/lint/types.js';
import { RULE_DOCS_BASE } from '../../../src/meta.js';
import { cleanReport, failingReport, finding } from '../markdown/sample-report.js';

// The SARIF 2.1.0 schema (rtm.5, the final 2.1.0 schema, JSON Schema draft-04) as shipped by
// Microsoft's @microsoft/jest-sarif.
const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
// ajv-draft-04 is CommonJS: its class is the `default` export of module.exports.
const Ajv = AjvDraft04.default;
const validate = new Ajv({
  allErrors: true,
  strict: false,
  // The schema's `language` pattern is not valid as a unicode RegExp (a known schema bug).
  unicodeRegExp: false,
  formats: {
    uri: (s: string) => URL.canParse(s),
    'uri-reference': (s: string) => URL.canParse(s, 'file:///root/'),
    'date-time': (s: string) => !Number.isNaN(Date.parse(s)),
  },
}).compile(schema);

const metas: RuleMeta[] = [
  {
    id: 'require-concurrent-index',
    kind: 'sql',
    defaultSeverity: 'error',
    summary: 'index without CONCURRENTLY',
    help: 'use CONCURRENTLY',
  },
  {
    id: 'lock-timeout-missing',
    kind: 'sql',
    defaultSeverity: 'off',
    summary: 'no lock_timeout',
    help: 'SET lock_timeout',
  },
  {
    id: 'multiple-heads',
    kind: 'graph',
    defaultSeverity: 'error',
    summary: 'more than one head',
    help: 'alembic merge heads',
  },
];

describe('renderSarif', () => {
  it.each([
    ['failing', failingReport()],
    ['clean', cleanReport()],
  ])('produces a log that validates against the SARIF 2.1.0 schema (%s report)', (_name, report) => {
    const log = JSON.parse(renderSarif(report, metas)) as unknown;
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a broken log (the validator really checks)', () => {
    const log = buildSarif(failingReport(), metas) as unknown as {
      runs: Array<{ results: Array<{ level: string }> }>;
    };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('describes every catalog rule and each finding with rule, level, relative location and line', () => {
    const log = buildSarif(failingReport(), metas);
    const run = log.runs[0]!;
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('migration-guard');
    const ids = run.tool.driver.rules.map((r) => r.id);
    // Catalog first, then rules seen only in findings (the hand-built report uses ids outside `metas`).
    expect(ids.slice(0, 3)).toEqual(['require-concurrent-index', 'lock-timeout-missing', 'multiple-heads']);
    expect(ids).toContain('downgrade-failed');
    expect(run.tool.driver.rules[0]).toMatchObject({
      shortDescription: { text: 'index without CONCURRENTLY' },
      helpUri: `${RULE_DOCS_BASE}/require-concurrent-index.md`,
      defaultConfiguration: { level: 'error' },
    });
    // Opt-in rules are disabled by default.
    expect(run.tool.driver.rules[1]!.defaultConfiguration).toEqual({ level: 'warning', enabled: false });

    const index = run.results.find((r) => r.ruleId === 'require-concurrent-index')!;
    expect(index.level).toBe('error');
    expect(run.tool.driver.rules[index.ruleIndex]!.id).toBe('require-concurrent-index');
    expect(index.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'migrations/versions/a1b2c3_change.py', uriBaseId: '%SRCROOT%' },
      region: { startLine: 23 },
    });
    expect(run.results.find((r) => r.ruleId === 'lock-timeout-missing')!.level).toBe('warning');

    // A project-level finding points at the alembic config, without a region.
    const heads = run.results.find((r) => r.ruleId === 'multiple-heads')!;
    expect(heads.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'alembic.ini', uriBaseId: '%SRCROOT%' },
    });

    const ignored = run.results.find((r) => r.ruleId === 'drop-table')!;
    expect(ignored.suppressions).toEqual([{ kind: 'inSource', justification: 'table is unused since v2' }]);
    expect(run.results).toHaveLength(5);
  });

  it('lists the consequences a finding explains as related locations, and says them in its message', () => {
    const report = failingReport();
    const revision = report.projects[0]!.revisions[0]!;
    revision.findings = [
      finding({
        rule: 'empty-downgrade',
        message: 'downgrade() is empty',
        file: 'migrations/versions/a1b2c3_change.py',
        line: 30,
        related: [
          {
            rule: 'downgrade-leaves-trace',
            severity: 'error',
            message: 'table audit is left behind',
            docsUrl: `${RULE_DOCS_BASE}/downgrade-leaves-trace.md`,
            file: 'migrations/versions/a1b2c3_change.py',
            line: null,
            statement: null,
          },
        ],
      }),
    ];
    const log = buildSarif(report, metas);
    expect(validate(log as unknown)).toBe(true);
    const root = log.runs[0]!.results.find((r) => r.ruleId === 'empty-downgrade')!;
    expect(root.message.text).toContain('and so downgrade-leaves-trace: table audit is left behind');
    expect(root.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: 'migrations/versions/a1b2c3_change.py', uriBaseId: '%SRCROOT%' },
        },
        message: { text: 'downgrade-leaves-trace: table audit is left behind' },
      },
    ]);
    // One result per cause: the consequence is not a result of its own.
    expect(log.runs[0]!.results.filter((r) => r.ruleId === 'downgrade-leaves-trace')).toEqual([]);
  });
});
