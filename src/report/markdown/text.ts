/**
 * Inline markdown of the report renderers: escaping report text so it stays inert, code spans
 * and fences, folded sections, counts and durations, and links to files at the PR head.
 */
import type { RevisionReport } from '../model.js';
import { inertMarkdown } from '../../scrub.js';
import type { MarkdownOptions } from './options.js';

export function revisionLink(r: RevisionReport, opts: MarkdownOptions): string {
  const code = `\`${inlineCode(r.id)}\``;
  const url = fileUrl(r.file, null, opts);
  return url ? `[${code}](${url})` : code;
}

/** The revision message, else its file name (a revision without a docstring). */
export function messageOf(r: RevisionReport): string {
  return r.message ?? r.file.split('/').pop() ?? r.id;
}

export function locationText(file: string, line: number | null, opts: MarkdownOptions): string {
  const label = `\`${inlineCode(line !== null ? `${file}:${line}` : file)}\``;
  const url = fileUrl(file, line, opts);
  return url ? `[${label}](${url})` : label;
}

export function fileUrl(file: string, line: number | null, opts: MarkdownOptions): string | null {
  if (!opts.repoUrl || !opts.headSha || !file) return null;
  const encoded = file.split('/').map(encodeURIComponent).join('/');
  return `${opts.repoUrl}/blob/${opts.headSha}/${encoded}${line !== null ? `#L${line}` : ''}`;
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A code fence longer than any backtick run inside the content. */
export function fence(content: string, lang: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${content.trimEnd()}\n${ticks}`;
}

export function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function shortRef(ref: string): string {
  return /^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 7) : ref;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Text from the report (messages, revision messages, error text) outside code: must not open
 * HTML, mention, link or embed (src/scrub.ts `inertMarkdown`, the one place that decides).
 */
export function escapeText(text: string): string {
  // Inside a code span nothing renders (no HTML, link, mention), so its text stays as written:
  // `<rule-id>` must not read `&lt;rule-id&gt;`. Outside, everything is made inert.
  let out = '';
  let rest = text;
  const span = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/;
  for (let m = span.exec(rest); m; m = span.exec(rest)) {
    out += inertMarkdown(rest.slice(0, m.index)) + m[0];
    rest = rest.slice(m.index + m[0].length);
  }
  return out + inertMarkdown(rest);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function tableCell(text: string): string {
  return escapeText(oneLine(text)).replace(/\|/g, '\\|');
}

export function inlineCode(text: string): string {
  return text.replace(/`/g, "'");
}
