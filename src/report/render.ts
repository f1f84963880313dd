/** Chooses a renderer for an output format. All renderers are pure functions of the Report. */
import type { FailOn, OutputFormat } from '../config.js';
import type { RuleMeta } from '../lint/types.js';
import { guardCommandLines } from '../scrub.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './model.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import { renderWorkflowCommands } from './workflow-commands.js';

export interface RenderOptions {
  /** The catalogue's rule metadata (SARIF lists every rule); handed in by the composition root. */
  ruleMetas: ReadonlyArray<RuleMeta>;
  verbose?: boolean;
  failOn?: FailOn;
}

export function renderReport(report: Report, format: OutputFormat, options: RenderOptions): string {
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
      return renderSarif(report, options.ruleMetas);
  }
}
