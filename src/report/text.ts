/**
 * `--format text`: the terminal report. Pure function of the Report. One block per project,
 * one line per revision with its round-trip verdict, then its findings with file:line, the
 * statement and the fix; a closing summary line.
 */
import type { FailOn } from '../config.js';
import { failingFindingsCount } from './model.js';
import type { Finding, ProjectReport, Report, RevisionReport, StepResult } from './model.js';
import { sandboxLine, securityWarnings } from './model.js';
import { reseededGroups, reseededSentence } from './reseeded.js';
import { slowestSteps } from './slowest.js';

export interface TextOptions {
  /** Show the executed SQL of every revision. */
  verbose?: boolean;
  /** Decides the verdict word, as it decides the exit code; default `error`. */
  failOn?: FailOn;
}

const MARK = { ok: 'ok', fail: 'FAIL', none: '-' } as const;

export function renderText(report: Report, options: TextOptions = {}): string {
  const out: string[] = [];
  for (const project of report.projects) out.push(...renderProject(project, options), '');
  // issue #8 (audit): where the time of a long run went.
  const slow = slowestSteps(report);
  if (slow) {
    const several = report.projects.length > 1;
    out.push(`slowest steps (of ${slow.steps} in ${slow.revisions} revisions):`);
    for (const st of slow.slowest) {
      out.push(
        `  ${formatMs(st.durationMs).padStart(8)}  ${st.revision} ${st.phase}   ${several ? `${st.project}: ` : ''}${st.file}`,
      );
    }
    out.push('');
  }
  if (report.interrupted) {
    const { signal, during, notChecked } = report.interrupted;
    out.push(
      `INTERRUPTED by ${signal} during ${during}: partial report; not checked: ${notChecked.join(', ') || '(none)'}`,
    );
  }
  const sandbox = sandboxLine(report);
  if (sandbox) out.push(sandbox);
  const s = report.summary;
  out.push(
    `${verdictText(report, options.failOn ?? 'error')}: ${s.revisions} revision(s) checked, ${s.passed} passed, ${s.errors} error(s), ` +
      `${s.warnings} warning(s), ${s.ignored} ignored in ${formatMs(s.durationMs)}`,
  );
  return `${out.join('\n')}\n`;
}

/**
 * FAILED exactly when the exit code is 1 (issue #14: `--fail-on warning` with one warning used
 * to print PASSED and exit 1). A non-default fail-on is named, so `PASSED` beside errors reads right.
 */
export function verdictText(report: Report, failOn: FailOn): string {
  const verdict = failingFindingsCount(report, failOn) > 0 ? 'FAILED' : 'PASSED';
  return failOn === 'error' ? verdict : `${verdict} (fail-on ${failOn})`;
}

function renderProject(p: ProjectReport, options: TextOptions): string[] {
  const out: string[] = [];
  const base = p.base ? ` vs ${p.base}` : '';
  out.push(`migration-guard: ${p.config}${base}`);
  if (p.skipped) {
    out.push(`  skipped: ${p.skipped}`);
    return out;
  }
  out.push(
    `  heads: ${p.heads.join(', ') || '(none)'}${p.base ? `   base heads: ${p.baseHeads.join(', ') || '(none)'}` : ''}`,
  );
  if (p.mode === 'static') out.push('  static checks only: no database was used, the round trip did not run');
  for (const warning of securityWarnings(p)) out.push(`  warning: ${warning}`);
  for (const note of p.notes ?? []) out.push(`  note: ${note}`);
  const pending = p.revisions.filter((r) => r.pending);
  if (pending.length === 0) out.push('  no pending revisions');
  for (const r of p.revisions) out.push(...renderRevision(r, options));
  for (const group of reseededGroups(p.revisions)) out.push(`  ${reseededSentence(group)}`);
  const projectFindings = p.findings;
  if (projectFindings.length > 0) {
    out.push('  project:');
    for (const f of projectFindings) out.push(...renderFinding(f, '    '));
  }
  return out;
}

function renderRevision(r: RevisionReport, options: TextOptions): string[] {
  const steps = ['upgrade', 'downgrade', 'reupgrade'].map((phase) =>
    stepMark(r.steps.find((s) => s.phase === phase)),
  );
  const restored = r.schemaRestored === null ? MARK.none : r.schemaRestored ? MARK.ok : MARK.fail;
  const time = r.durationMs !== undefined ? `  ${formatMs(r.durationMs)}` : '';
  const out = [
    `  ${r.id}  ${r.message ?? ''}`.trimEnd(),
    `    up ${steps[0]}  down ${steps[1]}  re-up ${steps[2]}  schema restored ${restored}${time}   ${r.file}`,
  ];
  if (r.notChecked) out.push(`    not checked: ${r.notChecked}`);
  if (r.roundTripSkipped) out.push(`    ${r.roundTripSkipped}`);
  if (r.dataNote) out.push(`    note: ${r.dataNote}`);
  for (const f of r.findings) out.push(...renderFinding(f, '    '));
  if (options.verbose) {
    for (const step of r.steps) {
      out.push(`    -- ${step.phase} (${formatMs(step.durationMs)})`);
      for (const st of step.statements) {
        if (st.bookkeeping) continue;
        const locks = st.locks.map((l) => `${l.mode} ${l.relation}`).join(', ');
        out.push(`       L${st.line ?? '?'} ${oneLine(st.sql)}${locks ? `   [${locks}]` : ''}`);
      }
    }
  }
  return out;
}

function stepMark(step: StepResult | undefined): string {
  if (!step) return MARK.none;
  return step.ok ? MARK.ok : MARK.fail;
}

function renderFinding(f: Finding, indent: string): string[] {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
  const tag = f.ignored ? 'ignored' : f.severity;
  const out = [`${indent}${tag} ${f.rule}: ${f.message}${where ? `  (${where})` : ''}`];
  for (const r of f.related ?? []) out.push(`${indent}  and so ${r.rule}: ${r.message}`);
  if (f.statement) out.push(`${indent}  > ${oneLine(f.statement)}`);
  if (f.ignored) out.push(`${indent}  reason: ${f.ignoreReason ?? ''}`);
  else out.push(`${indent}  fix: ${f.help}  ${f.docsUrl}`);
  return out;
}

function oneLine(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
