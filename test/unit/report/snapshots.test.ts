/**
 * Every report format of two fixed Reports, compared with files under __snapshots__/: moving
 * code around (the model, the rule catalogue, the reporters) must leave each byte of every
 * report as it was. SARIF gets the catalogue entries of the rules the reports name, so a new
 * rule in the catalogue does not change these files.
 */
import { describe, expect, it } from 'vitest';
import { allRules } from '../../../rules/index.js';
import type { OutputFormat } from '../../../src/config.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { Report } from '../../../src/report/model.js';
import { allFindings } from '../../../src/report/model.js';
import { renderReport } from '../../../src/report/render.js';
import { renderSarif } from '../../../src/report/sarif.js';
import { cleanReport, failingReport } from '../markdown/sample-report.js';

const reports: Array<[string, () => Report]> = [
  ['clean', cleanReport],
  ['failing', failingReport],
];
const formats: Array<[OutputFormat, string]> = [
  ['text', 'txt'],
  ['json', 'json'],
  ['github', 'github.txt'],
];

function ruleMetasOf(report: Report) {
  const named = new Set(allFindings(report).map((f) => f.rule));
  return allRules.filter((r) => named.has(r.meta.id)).map((r) => r.meta);
}

const ruleMetas = allRules.map((r) => r.meta);

describe('report snapshots', () => {
  for (const [name, make] of reports) {
    for (const [format, ext] of formats) {
      it(`${name} report as ${format}`, async () => {
        await expect(renderReport(make(), format, { ruleMetas })).toMatchFileSnapshot(
          `./__snapshots__/${name}.${ext}`,
        );
      });
    }
    it(`${name} report as verbose text`, async () => {
      await expect(renderReport(make(), 'text', { ruleMetas, verbose: true })).toMatchFileSnapshot(
        `./__snapshots__/${name}.verbose.txt`,
      );
    });
    it(`${name} report as markdown under fail-on warning`, async () => {
      await expect(
        renderMarkdown(make(), {
          failOn: 'warning',
          repoUrl: 'https://github.com/acme/shop',
          headSha: 'f'.repeat(40),
        }),
      ).toMatchFileSnapshot(`./__snapshots__/${name}.warning.md`);
    });
    it(`${name} report as SARIF`, async () => {
      const report = make();
      await expect(renderSarif(report, ruleMetasOf(report))).toMatchFileSnapshot(
        `./__snapshots__/${name}.sarif`,
      );
    });
  }
});
