/**
 * Markdown reporter: the PR comment, the job summary and `--format markdown` are this one pure
 * function of the Report with different size caps. The parts are rendered by the modules in
 * markdown/ (verdict, project and revision sections, findings, executed SQL) as blocks, and
 * markdown/fit.ts joins them under the cap, degrading in a fixed order when they do not fit.
 */
import type { Report } from './model.js';
import { sandboxLine } from './model.js';
import { slowestStepsText } from './markdown/executed.js';
import type { Block } from './markdown/fit.js';
import { fitBlocks } from './markdown/fit.js';
import type { MarkdownOptions } from './markdown/options.js';
import { projectBlocks } from './markdown/project.js';
import { blockersCallout, headline, interruptedLine } from './markdown/verdict.js';

export type { MarkdownOptions } from './markdown/options.js';
export { COMMENT_MAX_LENGTH, SUMMARY_MAX_LENGTH } from './markdown/options.js';
export { formatDuration } from './markdown/text.js';

export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  return fitBlocks(reportBlocks(report, opts), opts.maxLength, opts.detailsLink);
}

function reportBlocks(report: Report, opts: MarkdownOptions): Block[] {
  const blocks: Block[] = [{ kind: 'core', text: headline(report, opts.failOn ?? 'error') }];
  const interrupted = interruptedLine(report);
  if (interrupted) blocks.push({ kind: 'core', text: interrupted });
  const callout = blockersCallout(report, opts);
  if (callout) blocks.push({ kind: 'core', text: callout });
  for (const project of report.projects) blocks.push(...projectBlocks(project, report.projects.length, opts));
  const slow = slowestStepsText(report);
  const sandbox = sandboxLine(report);
  // Timing detail: dropped first, with the executed SQL, when the comment must shrink.
  if (slow) blocks.push({ kind: 'sql', text: slow });
  blocks.push({
    kind: 'core',
    text: `<sub>${report.tool.name} ${report.tool.version}${opts.headSha ? ` · ${opts.headSha.slice(0, 7)}` : ''}${
      sandbox ? ` · ${sandbox}` : ''
    }${opts.detailsLink ? ` · [workflow run](${opts.detailsLink})` : ''}</sub>`,
  });
  return blocks;
}
