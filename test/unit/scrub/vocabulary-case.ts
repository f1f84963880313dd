/**
 * One secret that is also a word of the tool (its name, a rule id, a short password such as
 * `postgres`), through the report scrubber and every renderer: the tool's own words stay (the
 * report validates against schema/report.schema.json, rule ids and doc links are intact) while
 * the secret is masked in everything that came from outside (errors, SQL, revision text) and
 * in a finding's message where it quotes such text. Each secret has its own test file: the
 * registry of secrets is per process.
 */
import { expect, it } from 'vitest';
import { allRules, knownRuleIds } from '../../../rules/index.js';
import type { Finding, Report } from '../../../src/report/model.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { renderReport } from '../../../src/report/render.js';
import { renderSarif } from '../../../src/report/sarif.js';
import { ruleDocsUrl } from '../../../src/lint/types.js';
import { maskSecrets } from '../../../src/errors.js';
import { registerVocabulary, scrubOutput, scrubReport } from '../../../src/scrub.js';
import { registerSecret } from '../../../src/secrets.js';
import { assertValidReport } from '../../helpers/report-schema.js';
import { finding, project, report, revision, step } from '../markdown/sample-report.js';

/** A sentence of the tool naming itself and a rule: none of it comes from outside. */
const TOOL_SENTENCE =
  'migration-guard cannot tell whether the base branch still maps it; set-not-null and upgrade-failed explain why';

function toolFinding(rule: string, message: string, extra: Partial<Finding> = {}): Finding {
  return finding({ rule, message, docsUrl: ruleDocsUrl(rule), help: `see ${rule}`, ...extra });
}

/** A report where the revision printed `secret` in its error, its SQL and its message. */
export function leakingReport(secret: string): Report {
  const error = `psycopg2.errors.RaiseException: stolen ${secret} printed by the revision`;
  const sql = `SELECT '${secret}' AS stolen`;
  const upgrade = {
    ...step('upgrade', false, [sql]),
    error,
    failedStatement: sql,
    errorDetail: `value ${secret}`,
  };
  return report([
    project([
      revision('r1', {
        message: `leaks ${secret}`,
        steps: [upgrade],
        schemaRestored: null,
        findings: [
          toolFinding('upgrade-failed', `upgrade to r1 failed: ${error}`, { statement: sql }),
          toolFinding('set-not-null', TOOL_SENTENCE),
          toolFinding('drop-table', TOOL_SENTENCE.replace('set-not-null', 'migration-guard')),
        ],
      }),
    ]),
  ]);
}

export function vocabularyCases(secret: string): void {
  registerVocabulary(knownRuleIds);
  registerSecret(secret);
  const raw = leakingReport(secret);
  const scrubbed = scrubReport(raw);
  const revisionOf = (r: Report) => r.projects[0]!.revisions[0]!;
  const masked = `stolen *** printed by the revision`;

  it(`"${secret}": the scrubbed report and its JSON rendering validate against the schema`, () => {
    assertValidReport(scrubbed, 'scrubbed report');
    const ruleMetas = allRules.map((r) => r.meta);
    assertValidReport(renderReport(scrubbed, 'json', { ruleMetas }), 'JSON report');
  });

  it(`"${secret}": rule ids, doc links, help and the tool's name are the tool's words and stay`, () => {
    expect(scrubbed.tool.name).toBe('migration-guard');
    const before = revisionOf(raw).findings;
    const after = revisionOf(scrubbed).findings;
    expect(after.map((f) => [f.rule, f.docsUrl, f.help])).toEqual(
      before.map((f) => [f.rule, f.docsUrl, f.help]),
    );
    // A sentence the tool wrote keeps its words: the secret is not in text from outside here.
    expect(after[1]!.message).toBe(TOOL_SENTENCE);
  });

  it(`"${secret}": masked in the error, the SQL, the revision's message and where a finding quotes the error`, () => {
    const r = revisionOf(scrubbed);
    const upgrade = r.steps[0]!;
    expect(upgrade.error).toBe(`psycopg2.errors.RaiseException: ${masked}`);
    expect(upgrade.failedStatement).toBe(`SELECT '***' AS stolen`);
    expect(upgrade.statements[0]!.sql).toBe(`SELECT '***' AS stolen`);
    expect(upgrade.errorDetail).toBe('value ***');
    expect(r.message).toBe('leaks ***');
    expect(r.findings[0]!.message).toBe(`upgrade to r1 failed: psycopg2.errors.RaiseException: ${masked}`);
    expect(r.findings[0]!.statement).toBe(`SELECT '***' AS stolen`);
  });

  it(`"${secret}": the markdown, SARIF and text renderings keep the doc links and mask the stolen text`, () => {
    const ruleMetas = allRules.map((r) => r.meta);
    const markdown = renderMarkdown(scrubbed);
    const sarif = renderSarif(scrubbed, ruleMetas);
    const text = renderReport(scrubbed, 'text', { ruleMetas });
    for (const out of [markdown, sarif, text]) {
      expect(out).toContain(ruleDocsUrl('upgrade-failed'));
      expect(out).toContain(ruleDocsUrl('set-not-null'));
      expect(out).not.toContain(`stolen ${secret}`);
      expect(out).not.toContain(`'${secret}'`);
    }
    expect(markdown).toContain(masked);
    const parsed = JSON.parse(sarif) as { runs: { results: { ruleId: string }[] }[] };
    expect(parsed.runs[0]!.results.map((x) => x.ruleId)).toContain('set-not-null');
  });

  it(`"${secret}": log lines and error messages keep the tool's name and mask the password`, () => {
    const hint = 'see migration-guard check --help and .migration-guard.yml';
    expect(scrubOutput(hint)).toBe(hint);
    expect(maskSecrets(hint)).toBe(hint);
    // A log line quotes outside text with nothing to tell it from the tool's words: only the
    // tool's name is kept there, so a password that is the name is the one left (the action's
    // ::add-mask:: still hides it in the job's log).
    const line = `  r1 upgrade FAILED: RuntimeError: printed ${secret} here`;
    expect(scrubOutput(line)).toBe(
      secret === 'migration-guard' ? line : '  r1 upgrade FAILED: RuntimeError: printed *** here',
    );
    expect(maskSecrets(`cannot connect to postgresql://admin:${secret}@db:5432/app`)).toBe(
      'cannot connect to postgresql://admin:***@db:5432/app',
    );
  });
}
