/**
 * The top of the markdown report: the heading with the verdict (what the exit code says under
 * `fail-on`) and the BLOCKER callout right under it. Also what makes a finding a BLOCKER, which
 * the per-revision sections use for their labels.
 */
import type { FailOn } from '../../config.js';
import { failingFindingsCount } from '../model.js';
import type { Finding, ProjectReport, Report, RevisionReport } from '../model.js';
import type { MarkdownOptions } from './options.js';
import { escapeText, formatDuration, inlineCode, oneLine, plural, revisionLink } from './text.js';

/** Rules whose finding means the revision cannot be rolled back. */
const BLOCKER_RULES = new Set(['downgrade-failed', 'downgrade-leaves-trace']);
/**
 * Rules whose finding means the revision breaks on tables with rows (populated round trip),
 * with the label its failing step earns: an upgrade that fails is not a rollback problem.
 */
const DATA_BLOCKER_RULES = new Map([
  ['upgrade-fails-with-data', 'fails to upgrade on tables with rows'],
  ['downgrade-fails-with-data', 'cannot be rolled back once tables have rows'],
]);

export function headline(report: Report, failOn: FailOn): string {
  const s = report.summary;
  const failing = failingFindingsCount(report, failOn) > 0;
  const icon = failing ? '❌' : s.errors + s.warnings > 0 ? '⚠️' : '✅';
  const blocked = blockerRevisions(report);
  const rollback = blocked.filter((b) =>
    blockerReason(b.finding)?.startsWith('cannot be rolled back'),
  ).length;
  const withData = blocked.length - rollback;
  const counts =
    s.errors + s.warnings === 0
      ? ['no findings']
      : [
          rollback > 0 ? `${plural(rollback, 'revision')} cannot be rolled back` : null,
          withData > 0
            ? `${plural(withData, 'revision')} ${withData === 1 ? 'fails' : 'fail'} to upgrade on tables with rows`
            : null,
          s.errors > 0 ? plural(s.errors, 'error') : null,
          s.warnings > 0 ? plural(s.warnings, 'warning') : null,
        ].filter((x): x is string => x !== null);
  // The verdict says what the exit code says (issue #14), whatever the counts look like.
  const verdict = `**${failing ? 'FAILED' : 'PASSED'}**${failOn === 'error' ? '' : ` (fail-on ${failOn})`}`;
  const details = [
    verdict,
    `${plural(s.revisions, 'pending revision')} checked, ${s.passed} passed`,
    s.ignored > 0 ? `${s.ignored} ignored` : null,
    formatDuration(s.durationMs),
  ].filter((x): x is string => x !== null);
  return `### ${icon} migration-guard: ${counts.join(' · ')}\n\n${details.join(' · ')}`;
}

/**
 * Why a finding blocks the merge (its revision cannot be rolled back, or fails with data), else
 * null. A consequence keeps its label under any cause: a static rule's finding whose statement
 * failed on the seeded rows (the failure hangs under it as evidence) blocks like the failure.
 */
export function blockerReason(f: Finding): string | null {
  if (f.ignored) return null;
  const rules = [f.rule, ...(f.related ?? []).map((r) => r.rule)];
  if (rules.some((r) => BLOCKER_RULES.has(r))) return 'cannot be rolled back';
  for (const r of rules) {
    const reason = DATA_BLOCKER_RULES.get(r);
    if (reason) return reason;
  }
  return null;
}

export function isBlocker(f: Finding): boolean {
  return blockerReason(f) !== null;
}

function blockerRevisions(
  report: Report,
): Array<{ project: ProjectReport; revision: RevisionReport; finding: Finding }> {
  return report.projects.flatMap((project) =>
    project.revisions.flatMap((revision) => {
      const finding = revision.pending ? revision.findings.find(isBlocker) : undefined;
      return finding ? [{ project, revision, finding }] : [];
    }),
  );
}

/** Blockers first: right under the verdict, one line each. */
export function blockersCallout(report: Report, opts: MarkdownOptions): string | null {
  const blockers = blockerRevisions(report);
  if (blockers.length === 0) return null;
  const several = report.projects.length > 1;
  // Each line says what its revision's blocker is (fails to upgrade, cannot be rolled back).
  const lines = blockers.map(
    ({ project, revision, finding }) =>
      `> ${several ? `\`${inlineCode(project.id)}\` ` : ''}${revisionLink(revision, opts)} ${blockerReason(finding) ?? 'is blocked'}: **${finding.rule}** — ${escapeText(oneLine(finding.message))}`,
  );
  return `> [!CAUTION]\n> **BLOCKER${blockers.length > 1 ? 'S' : ''}**\n>\n${lines.join('\n>\n')}`;
}

/** Revisions named in the interrupted line; the rest are counted (a long audit stays one line). */
const NOT_CHECKED_SHOWN = 20;

/**
 * A cancelled run's partial report says so under the verdict, in one line: the signal, where it
 * arrived and the revisions that were not checked (the verdict covers only what finished).
 */
export function interruptedLine(report: Report): string | null {
  if (!report.interrupted) return null;
  const { signal, during, notChecked } = report.interrupted;
  const shown = notChecked.slice(0, NOT_CHECKED_SHOWN).map((r) => `\`${inlineCode(r)}\``);
  const more =
    notChecked.length > NOT_CHECKED_SHOWN ? ` and ${notChecked.length - NOT_CHECKED_SHOWN} more` : '';
  const which = notChecked.length > 0 ? `${shown.join(', ')}${more}` : 'none';
  return `> [!WARNING]\n> **INTERRUPTED** by ${escapeText(oneLine(signal))} during \`${inlineCode(oneLine(during))}\`: partial report; not checked: ${which}.`;
}
