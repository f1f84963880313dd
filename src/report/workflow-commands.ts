/**
 * `--format github`: GitHub Actions workflow commands (`::error file=…,line=…,title=…::…`), so
 * the CLI run from a plain `run:` step annotates the pull request without the action.
 */
import type { Finding, Report } from './model.js';
import { allFindings } from './model.js';
import { guardCommandLines } from '../scrub.js';
import { renderText } from './text.js';

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function annotationCommand(f: Finding): string {
  const level = f.severity === 'error' ? 'error' : 'warning';
  const props = [
    f.file ? `file=${escapeProperty(f.file)}` : null,
    f.file && f.line ? `line=${f.line}` : null,
    `title=${escapeProperty(`migration-guard ${f.rule}`)}`,
  ].filter((p): p is string => p !== null);
  return `::${level} ${props.join(',')}::${escapeData(`${f.message}\n${f.help}\n${f.docsUrl}`)}`;
}

export function renderWorkflowCommands(report: Report): string {
  const lines = allFindings(report)
    .filter((f) => !f.ignored)
    .map(annotationCommand);
  // The text part is revision-controlled: none of its lines may become a command.
  return `${lines.join('\n')}${lines.length ? '\n' : ''}${guardCommandLines(renderText(report))}`;
}
