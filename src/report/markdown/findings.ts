/**
 * Findings in the markdown report: a revision's verdict line, then its findings (BLOCKERs first,
 * many errors or warnings folded), each with its location, statement, consequences and fix;
 * and the folded list of ignored findings with the reason each was ignored.
 */
import type { Finding, RevisionReport } from '../model.js';
import type { Block } from './fit.js';
import type { MarkdownOptions } from './options.js';
import { blockerReason, isBlocker } from './verdict.js';
import {
  details,
  escapeText,
  fence,
  indent,
  locationText,
  messageOf,
  oneLine,
  plural,
  revisionLink,
} from './text.js';

/** Up to this many findings of a revision are shown unfolded. */
const FEW_FINDINGS = 3;

/**
 * One verdict line, then the findings: BLOCKERs first and always shown; the other errors shown
 * when there are few, else folded; warnings folded when there are errors or many of them.
 */
export function findingBlocks(
  title: string,
  findings: Finding[],
  opts: MarkdownOptions,
  key: string,
): Block[] {
  if (findings.length === 0) return [];
  const blockers = findings.filter(isBlocker);
  const errors = findings.filter((f) => !isBlocker(f) && f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning' && !isBlocker(f));
  const foldErrors = errors.length > FEW_FINDINGS;
  const foldWarnings =
    warnings.length > 0 && (errors.length + blockers.length > 0 || warnings.length > FEW_FINDINGS);
  // The title is core: truncation may drop findings, never the revision's verdict line.
  const blocks: Block[] = [{ kind: 'core', text: title }];
  const add = (list: Finding[], fold: Block['fold']) =>
    list.forEach((f) =>
      blocks.push({ kind: 'finding', text: findingText(f, opts), ...(fold ? { fold } : {}) }),
    );
  add(blockers, undefined);
  add(errors, foldErrors ? { id: `${key}\u0000errors`, summary: (n) => `${plural(n, 'error')}` } : undefined);
  add(
    warnings,
    foldWarnings ? { id: `${key}\u0000warnings`, summary: (n) => `${plural(n, 'warning')}` } : undefined,
  );
  return blocks;
}

export function revisionTitle(r: RevisionReport, active: Finding[], opts: MarkdownOptions): string {
  const reasons = [...new Set(active.map(blockerReason).filter((r): r is string => r !== null))];
  const errors = active.filter((f) => f.severity === 'error').length;
  const warnings = active.length - errors;
  const verdict = [
    ...reasons,
    errors > 0 ? plural(errors, 'error') : null,
    warnings > 0 ? plural(warnings, 'warning') : null,
  ].filter((x): x is string => x !== null);
  const icon = errors > 0 ? '❌' : '⚠️';
  return `**${revisionLink(r, opts)}** ${escapeText(oneLine(messageOf(r)))} — ${icon} ${verdict.join(' · ')}`;
}

function findingText(f: Finding, opts: MarkdownOptions): string {
  const icon = f.severity === 'error' ? '❌' : '⚠️';
  // A consequence that makes the revision irreversible keeps the label under any cause.
  const reason = blockerReason(f);
  const blocker = reason ? `**BLOCKER: this revision ${reason}.** ` : '';
  const where = f.file ? ` — ${locationText(f.file, f.line, opts)}` : '';
  // Continuation lines of a multi-line message stay inside the list item.
  const message = escapeText(f.message.trim()).split('\n').join('\n  ');
  const lines = [`- ${icon} ${blocker}**${f.rule}**${where}: ${message}`];
  if (f.statement) lines.push(indent(fence(f.statement, 'sql'), '  '));
  // Consequences of the same cause: one sub-bullet each, under their cause.
  for (const r of f.related ?? []) lines.push(`  - ↳ **${r.rule}**: ${escapeText(oneLine(r.message))}`);
  const help = f.help ? `💡 ${escapeText(oneLine(f.help))} ` : '';
  // A paragraph of its own: a bare next line would run on into the message.
  lines.push(`\n  ${help}([${f.rule}](${f.docsUrl}))`);
  return lines.join('\n');
}

export function ignoredText(findings: Finding[], opts: MarkdownOptions): string {
  const items = findings.map((f) => {
    const where = f.file ? ` — ${locationText(f.file, f.line, opts)}` : '';
    return `- **${f.rule}**${where}: ${escapeText(oneLine(f.message))}<br>_ignored: ${escapeText(
      oneLine(f.ignoreReason ?? 'no reason given'),
    )}_`;
  });
  return details(`${plural(findings.length, 'ignored finding')}`, items.join('\n'));
}
