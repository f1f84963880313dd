/**
 * What ran, in detail: each pending revision's executed SQL with its line, time and locks, and
 * the slowest steps of a long audit. Both are folded and both are the first thing dropped when
 * the text must shrink (`sql` blocks in fit.ts).
 */
import type { ExecutedStatement, Report, RevisionReport } from '../model.js';
import { slowestSteps } from '../slowest.js';
import {
  details,
  escapeHtml,
  fence,
  formatDuration,
  inlineCode,
  oneLine,
  plural,
  tableCell,
} from './text.js';

export function executedSqlText(r: RevisionReport): string | null {
  const parts: string[] = [];
  let count = 0;
  for (const step of r.steps) {
    const statements = step.statements.filter((s) => !s.bookkeeping);
    if (statements.length === 0) continue;
    count += statements.length;
    parts.push(`**${step.phase}** (${formatDuration(step.durationMs)})`);
    parts.push(fence(statements.map(statementWithComment).join('\n\n'), 'sql'));
  }
  if (count === 0) return null;
  return details(
    `Executed SQL of <code>${escapeHtml(r.id)}</code> (${plural(count, 'statement')})`,
    parts.join('\n\n'),
  );
}

function statementWithComment(s: ExecutedStatement): string {
  // Alembic's own version table is locked by every step: noise for the reader.
  const locks = s.locks.filter((l) => !/^(\w+\.)?alembic_version(_pkc)?$/.test(l.relation));
  const facts = [
    s.line !== null ? `line ${s.line}` : null,
    formatDuration(s.durationMs),
    locks.length > 0 ? `locks: ${locks.map((l) => `${l.mode} on ${l.relation}`).join(', ')}` : null,
    s.error ? `error: ${oneLine(s.error)}` : null,
  ].filter((x): x is string => x !== null);
  return `-- ${facts.join(' · ')}\n${s.sql.trim()}${s.sql.trim().endsWith(';') ? '' : ';'}`;
}

/** Audits of long histories: the five slowest steps, folded (issue #8). */
export function slowestStepsText(report: Report): string | null {
  const slow = slowestSteps(report);
  if (!slow) return null;
  const several = report.projects.length > 1;
  const rows = ['| Step | Revision | File | Time |', '| --- | --- | --- | --: |'];
  for (const s of slow.slowest) {
    const file = `${several ? `${s.project}: ` : ''}${s.file}`;
    rows.push(
      `| ${s.phase} | \`${inlineCode(s.revision)}\` | ${tableCell(file)} | ${formatDuration(s.durationMs)} |`,
    );
  }
  return details(
    `Slowest steps (${slow.slowest.length} of ${slow.steps} in ${plural(slow.revisions, 'revision')})`,
    rows.join('\n'),
  );
}
