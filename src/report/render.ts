/** Chooses a renderer for an output format. All renderers are pure functions of the Report. */
import { allRules } from '../../rules/index.js';
import type { FailOn, OutputFormat } from '../config.js';
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
      return renderText(report, options);
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report, { failOn: options.failOn });
    case 'github':
      return renderWorkflowCommands(report);
    case 'sarif':
      return renderSarif(
        report,
        allRules.map((r) => r.meta),
      );
  }
}
