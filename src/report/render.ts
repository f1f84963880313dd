/** Chooses a renderer for an output format. All renderers are pure functions of the Report. */
import { allRules } from '../../rules/index.js';
import type { FailOn, OutputFormat } from '../config.js';
import { guardCommandLines } from '../scrub.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './model.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import { renderWorkflowCommands } from './workflow-commands.js';

export function renderReport(
  report: Report,
  format: OutputFormat,
  options: { verbose?: boolean; failOn?: FailOn } = {},
): string {
  switch (format) {
    case 'text':
      return guardCommandLines(renderText(report, options));
    case 'json':
      return renderJson(report);
    case 'markdown':
      return guardCommandLines(renderMarkdown(report, { failOn: options.failOn }));
    // Its own command lines are the point; the text after them is guarded inside.
    case 'github':
      return renderWorkflowCommands(report);
    case 'sarif':
      return renderSarif(
        report,
        allRules.map((r) => r.meta),
      );
  }
}
