/** A project's notes (what the check could not look at) in the text and markdown reports. */
import { describe, expect, it } from 'vitest';
import { allRules } from '../../../rules/index.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { Report } from '../../../src/report/model.js';
import { renderReport } from '../../../src/report/render.js';
import { cleanReport } from '../markdown/sample-report.js';

const NOTE =
  "breaks-deployed-app: the base release's models were not run against the migrated schema: env.py failed on the base commit: ModuleNotFoundError: No module named 'stripe'";

function withNote(): Report {
  const report = cleanReport();
  const project = report.projects[0];
  if (!project) throw new Error('sample report has no project');
  project.notes = [NOTE];
  return report;
}

describe('project notes', () => {
  it('are one line each in the text report', async () => {
    const text = await renderReport(withNote(), 'text', { ruleMetas: allRules.map((r) => r.meta) });
    expect(text.split('\n').filter((l) => l.includes('note: '))).toEqual([`  note: ${NOTE}`]);
  });

  it('are a NOTE callout in the markdown report, and absent without notes', () => {
    const md = renderMarkdown(withNote(), { failOn: 'error' });
    expect(md).toContain('> [!NOTE]\n> breaks-deployed-app: the base release');
    expect(renderMarkdown(cleanReport(), { failOn: 'error' })).not.toContain('[!NOTE]');
  });
});
