/**
 * The table of a project's pending revisions: one row each with the round trip's steps, whether
 * the schema came back (and what differs when not), the run on tables with rows when there was
 * one, the findings count and the time.
 */
import type { Phase, RevisionReport } from '../model.js';
import type { MarkdownOptions } from './options.js';
import { fileUrl, formatDuration, messageOf, revisionLink, tableCell } from './text.js';

const DATA_VERDICT: Record<string, string> = {
  ok: '✅',
  'upgrade-fails': '❌ up',
  'downgrade-fails': '❌ down',
  'loses-data': '❌ loses data',
  'not-run': '—',
};

export function revisionTable(revisions: RevisionReport[], opts: MarkdownOptions): string {
  // The "With data" column appears when the round trip ran on populated tables.
  const withData = revisions.some((r) => r.data);
  const rows = [
    `| Revision | Message | Up | Down | Re-up | Schema restored |${withData ? ' With data |' : ''} Findings | Time |`,
    `| --- | --- | :-: | :-: | :-: | :-: |${withData ? ' :-: |' : ''} --: | --: |`,
  ];
  for (const r of revisions) {
    const active = r.findings.filter((f) => !f.ignored).length;
    const ignored = r.findings.length - active;
    const findings = r.notChecked ? 'not checked' : `${active}${ignored > 0 ? ` (+${ignored} ignored)` : ''}`;
    const time = r.durationMs ?? r.steps.reduce((t, s) => t + s.durationMs, 0);
    const data = withData ? ` ${r.data ? (DATA_VERDICT[r.data.verdict] ?? '—') : '—'} |` : '';
    rows.push(
      `| ${revisionLink(r, opts)} | ${tableCell(messageOf(r))} | ${stepIcon(r, 'upgrade')} | ${stepIcon(r, 'downgrade')} | ${stepIcon(r, 'reupgrade')} | ${schemaCell(r, opts)} |${data} ${findings} | ${formatDuration(time)} |`,
    );
  }
  return rows.join('\n');
}

/** ❌ says what differs and links to where the downgrade is. */
function schemaCell(r: RevisionReport, opts: MarkdownOptions): string {
  if (r.schemaRestored === null) return '—';
  if (r.schemaRestored) return '✅';
  const diff = r.steps.find((st) => st.phase === 'downgrade')?.schemaDiff ?? [];
  const trace = r.findings.find(
    (f) => f.rule === 'downgrade-leaves-trace' || f.rule === 'reupgrade-schema-mismatch',
  );
  const what = diff[0] ?? (trace ? trace.rule : 'schema differs');
  const more = diff.length > 1 ? ` (+${diff.length - 1})` : '';
  const label = `❌ ${tableCell(what.length > 60 ? `${what.slice(0, 59)}…` : what)}${more}`;
  const url = trace?.file ? fileUrl(trace.file, trace.line, opts) : fileUrl(r.file, null, opts);
  return url ? `[${label}](${url})` : label;
}

function stepIcon(r: RevisionReport, phase: Phase): string {
  const step = r.steps.find((s) => s.phase === phase);
  return step === undefined ? '—' : step.ok ? '✅' : '❌';
}
