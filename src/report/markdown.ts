/**
 * Markdown reporter: the PR comment, the job summary and `--format markdown` are this one pure
 * function of the Report with different size caps. When the text does not fit, it degrades in
 * a fixed order — executed SQL first, then ignored findings, then findings — and says so.
 */
import type { FailOn } from '../config.js';
import { failingFindingsCount } from './model.js';
import type { ExecutedStatement, Finding, Phase, ProjectReport, Report, RevisionReport } from './model.js';
import { inertMarkdown } from '../scrub.js';
import { securityWarnings } from './model.js';
import { slowestSteps } from './slowest.js';

export interface MarkdownOptions {
  /** `https://github.com/owner/repo`: file:line references become links when headSha is set too. */
  repoUrl?: string;
  /** Commit the links point at (the PR head). */
  headSha?: string;
  /** Cap in UTF-8 bytes (never less than GitHub's character count). Default: no cap. */
  maxLength?: number;
  /** Where the full report is (the workflow run); named in the truncation note. */
  detailsLink?: string;
  /** Decides the verdict icon; default `error`. */
  failOn?: FailOn;
}

/** GitHub rejects issue comments longer than 65 536 characters. */
export const COMMENT_MAX_LENGTH = 65_535;
/** GitHub's limit for one step's job summary. */
export const SUMMARY_MAX_LENGTH = 1024 * 1024;

/** Rules whose finding means the revision cannot be rolled back. */
const BLOCKER_RULES = new Set(['downgrade-failed', 'downgrade-leaves-trace']);
/** Rules whose finding means the revision breaks on tables with rows (populated round trip). */
const DATA_BLOCKER_RULES = new Map([
  ['upgrade-fails-with-data', 'fails on tables with rows'],
  ['downgrade-fails-with-data', 'cannot be rolled back once tables have rows'],
]);

type BlockKind = 'core' | 'finding' | 'ignored' | 'sql';
interface Block {
  kind: BlockKind;
  text: string;
  /**
   * Consecutive finding blocks of one group are folded into one `<details>` when joined, so
   * truncation can drop single findings and the HTML stays balanced.
   */
  fold?: { id: string; summary: (shown: number) => string };
}

/** Up to this many findings of a revision are shown unfolded. */
const FEW_FINDINGS = 3;

export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const blocks = reportBlocks(report, opts);
  const max = opts.maxLength ?? Number.POSITIVE_INFINITY;
  const full = join(blocks);
  if (size(full) <= max) return full;

  // Degrade in order: executed SQL, then ignored findings, then findings.
  const withoutSql = blocks.filter((b) => b.kind !== 'sql');
  const note1 = truncationNote(opts, 'executed SQL is not shown');
  let text = join(withoutSql) + note1;
  if (size(text) <= max) return text;

  const essential = withoutSql.filter((b) => b.kind !== 'ignored');
  const note2 = truncationNote(opts, 'executed SQL and ignored findings are not shown');
  text = join(essential) + note2;
  if (size(text) <= max) return text;

  // Keep every core block (verdict, tables) and as many findings as fit, in order.
  const findingCount = essential.filter((b) => b.kind === 'finding').length;
  const coreSize = size(join(essential.filter((b) => b.kind === 'core')));
  const omittedNoteReserve = 200;
  let budget = max - coreSize - size(note2) - omittedNoteReserve;
  const kept: Block[] = [];
  let omitted = 0;
  for (const b of essential) {
    if (b.kind !== 'finding') {
      kept.push(b);
      continue;
    }
    const cost = size(b.text) + 1;
    if (omitted === 0 && cost <= budget) {
      kept.push(b);
      budget -= cost;
    } else {
      omitted++;
    }
  }
  const note3 = () =>
    truncationNote(
      opts,
      `${omitted} of ${findingCount} findings, executed SQL and ignored findings are not shown`,
    );
  text = join(kept) + note3();
  // Folding wrappers and separators are not in the estimate: drop the last findings until it fits.
  while (size(text) > max) {
    const last = kept.findLastIndex((b) => b.kind === 'finding');
    if (last < 0) break;
    kept.splice(last, 1);
    omitted++;
    text = join(kept) + note3();
  }
  if (size(text) <= max) return text;
  // Even the tables do not fit (thousands of revisions): cut at a line boundary.
  return cutToSize(join(kept), max - size(note3()) - 8) + '\n\n…\n' + note3();
}

function reportBlocks(report: Report, opts: MarkdownOptions): Block[] {
  const blocks: Block[] = [{ kind: 'core', text: headline(report, opts.failOn ?? 'error') }];
  const callout = blockersCallout(report, opts);
  if (callout) blocks.push({ kind: 'core', text: callout });
  for (const project of report.projects) blocks.push(...projectBlocks(project, report.projects.length, opts));
  const slow = slowestStepsText(report);
  // Timing detail: dropped first, with the executed SQL, when the comment must shrink.
  if (slow) blocks.push({ kind: 'sql', text: slow });
  blocks.push({
    kind: 'core',
    text: `<sub>${report.tool.name} ${report.tool.version}${opts.headSha ? ` · ${opts.headSha.slice(0, 7)}` : ''}${
      opts.detailsLink ? ` · [workflow run](${opts.detailsLink})` : ''
    }</sub>`,
  });
  return blocks;
}

/** Audits of long histories: the five slowest steps, folded (issue #8). */
function slowestStepsText(report: Report): string | null {
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

function headline(report: Report, failOn: FailOn): string {
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
            ? `${plural(withData, 'revision')} ${withData === 1 ? 'fails' : 'fail'} on tables with rows`
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

/** Why a finding blocks the merge (its revision cannot be rolled back, or fails with data), else null. */
function blockerReason(f: Finding): string | null {
  if (f.ignored) return null;
  // A consequence that makes the revision irreversible keeps the label under any cause.
  if ([f.rule, ...(f.related ?? []).map((r) => r.rule)].some((r) => BLOCKER_RULES.has(r)))
    return 'cannot be rolled back';
  return DATA_BLOCKER_RULES.get(f.rule) ?? null;
}

function isBlocker(f: Finding): boolean {
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
function blockersCallout(report: Report, opts: MarkdownOptions): string | null {
  const blockers = blockerRevisions(report);
  if (blockers.length === 0) return null;
  const several = report.projects.length > 1;
  const lines = blockers.map(
    ({ project, revision, finding }) =>
      `> ${several ? `\`${inlineCode(project.id)}\` ` : ''}${revisionLink(revision, opts)} cannot be rolled back: **${finding.rule}** — ${escapeText(oneLine(finding.message))}`,
  );
  return `> [!CAUTION]\n> **BLOCKER${blockers.length > 1 ? 'S' : ''}**\n>\n${lines.join('\n>\n')}`;
}

function projectBlocks(project: ProjectReport, projectCount: number, opts: MarkdownOptions): Block[] {
  const title = `#### \`${inlineCode(project.id)}\``;
  if (project.skipped)
    return [{ kind: 'core', text: `${title} — skipped: ${escapeText(oneLine(project.skipped))}` }];

  const blocks: Block[] = [];
  const base = project.base ? `base \`${inlineCode(shortRef(project.base))}\`` : 'no base ref';
  const heads =
    project.heads.length > 0 ? ` → head ${project.heads.map((h) => `\`${inlineCode(h)}\``).join(', ')}` : '';
  const header = projectCount > 1 || project.revisions.length > 0 ? `${title} (${base}${heads})` : '';
  const pending = project.revisions.filter((r) => r.pending);
  const table =
    pending.length === 0 ? 'No pending revisions: nothing to round-trip.' : revisionTable(pending, opts);
  const warnings = securityWarnings(project).map((w) => `> [!WARNING]\n> ${w}`);
  const seeded = seedText(project);
  blocks.push({
    kind: 'core',
    text: [header, ...warnings, table, seeded].filter((x) => x !== '').join('\n\n'),
  });

  const projectFindings = project.findings.filter((f) => !f.ignored);
  const projectKey = `${project.id}\u0000`;
  blocks.push(
    ...findingBlocks(
      `**Project findings** (\`${inlineCode(project.config)}\`)`,
      projectFindings,
      opts,
      projectKey,
    ),
  );
  for (const revision of pending) {
    const active = revision.findings.filter((f) => !f.ignored);
    blocks.push(
      ...findingBlocks(revisionTitle(revision, active, opts), active, opts, `${projectKey}${revision.id}`),
    );
    // What the round trip did not prove (skipped steps, data it did not have): said, not counted.
    const notes = [revision.roundTripSkipped, revision.dataNote].filter((n): n is string => !!n);
    if (notes.length > 0) {
      const lines = notes.map((n) => `- ℹ️ ${escapeText(oneLine(n))}`).join('\n');
      blocks.push({
        kind: 'finding',
        text: `${active.length > 0 ? '' : `${revisionTitle(revision, active, opts)}\n\n`}${lines}`,
      });
    }
  }
  const ignored = [...project.findings, ...pending.flatMap((r) => r.findings)].filter((f) => f.ignored);
  if (ignored.length > 0) blocks.push({ kind: 'ignored', text: ignoredText(ignored, opts) });
  for (const revision of pending) {
    const sql = executedSqlText(revision);
    if (sql) blocks.push({ kind: 'sql', text: sql });
  }
  return blocks;
}

/**
 * One verdict line, then the findings: BLOCKERs first and always shown; the other errors shown
 * when there are few, else folded; warnings folded when there are errors or many of them.
 */
function findingBlocks(title: string, findings: Finding[], opts: MarkdownOptions, key: string): Block[] {
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

/** Rows per table the round trip ran with (populated database), and the user's seed SQL. */
function seedText(project: ProjectReport): string {
  const seed = project.seed;
  if (!seed) return '';
  const tables = Object.entries(seed.tables).filter(([, n]) => n > 0);
  const shown = tables
    .slice(0, 12)
    .map(([t, n]) => `\`${inlineCode(t)}\` ${n}`)
    .join(', ');
  const more = tables.length > 12 ? ` and ${tables.length - 12} more` : '';
  const unfilled = Object.keys(seed.unfilled);
  const parts = [
    tables.length > 0
      ? `Ran with data: ${shown}${more} rows (synthetic, seed ${seed.randomSeed})`
      : 'Ran with data: no synthetic rows',
  ];
  if (unfilled.length > 0)
    parts.push(`left empty: ${unfilled.map((t) => `\`${inlineCode(t)}\``).join(', ')} (see the JSON report)`);
  if (seed.userSql)
    parts.push(
      `\`${inlineCode(seed.userSql.file)}\` ${seed.userSql.ok ? 'ran' : `failed: ${escapeText(oneLine(seed.userSql.error ?? ''))}`}`,
    );
  return `${parts.join('; ')}.`;
}

const DATA_VERDICT: Record<string, string> = {
  ok: '✅',
  'upgrade-fails': '❌ up',
  'downgrade-fails': '❌ down',
  'loses-data': '❌ loses data',
  'not-run': '—',
};

function revisionTable(revisions: RevisionReport[], opts: MarkdownOptions): string {
  // The "With data" column appears when the round trip ran on populated tables.
  const withData = revisions.some((r) => r.data);
  if (withData) return revisionTableWithData(revisions, opts);
  const rows = [
    '| Revision | Message | Up | Down | Re-up | Schema restored | Findings | Time |',
    '| --- | --- | :-: | :-: | :-: | :-: | --: | --: |',
  ];
  for (const r of revisions) {
    const active = r.findings.filter((f) => !f.ignored).length;
    const ignored = r.findings.length - active;
    const findings = r.notChecked ? 'not checked' : `${active}${ignored > 0 ? ` (+${ignored} ignored)` : ''}`;
    const time = r.durationMs ?? r.steps.reduce((t, s) => t + s.durationMs, 0);
    rows.push(
      `| ${revisionLink(r, opts)} | ${tableCell(messageOf(r))} | ${stepIcon(r, 'upgrade')} | ${stepIcon(
        r,
        'downgrade',
      )} | ${stepIcon(r, 'reupgrade')} | ${schemaCell(r, opts)} | ${findings} | ${formatDuration(time)} |`,
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

function revisionTableWithData(revisions: RevisionReport[], opts: MarkdownOptions): string {
  const rows = [
    '| Revision | Message | Up | Down | Re-up | Schema restored | With data | Findings | Time |',
    '| --- | --- | :-: | :-: | :-: | :-: | :-: | --: | --: |',
  ];
  for (const r of revisions) {
    const active = r.findings.filter((f) => !f.ignored).length;
    const ignored = r.findings.length - active;
    const findings = `${active}${ignored > 0 ? ` (+${ignored} ignored)` : ''}`;
    const time = r.durationMs ?? r.steps.reduce((t, s) => t + s.durationMs, 0);
    const data = r.data ? (DATA_VERDICT[r.data.verdict] ?? '—') : '—';
    rows.push(
      `| ${revisionLink(r, opts)} | ${tableCell(messageOf(r))} | ${stepIcon(r, 'upgrade')} | ${stepIcon(r, 'downgrade')} | ${stepIcon(r, 'reupgrade')} | ${schemaCell(r, opts)} | ${data} | ${findings} | ${formatDuration(time)} |`,
    );
  }
  return rows.join('\n');
}

function stepIcon(r: RevisionReport, phase: Phase): string {
  const step = r.steps.find((s) => s.phase === phase);
  return step === undefined ? '—' : step.ok ? '✅' : '❌';
}

function revisionLink(r: RevisionReport, opts: MarkdownOptions): string {
  const code = `\`${inlineCode(r.id)}\``;
  const url = fileUrl(r.file, null, opts);
  return url ? `[${code}](${url})` : code;
}

function revisionTitle(r: RevisionReport, active: Finding[], opts: MarkdownOptions): string {
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

/** The revision message, else its file name (a revision without a docstring). */
function messageOf(r: RevisionReport): string {
  return r.message ?? r.file.split('/').pop() ?? r.id;
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

function ignoredText(findings: Finding[], opts: MarkdownOptions): string {
  const items = findings.map((f) => {
    const where = f.file ? ` — ${locationText(f.file, f.line, opts)}` : '';
    return `- **${f.rule}**${where}: ${escapeText(oneLine(f.message))}<br>_ignored: ${escapeText(
      oneLine(f.ignoreReason ?? 'no reason given'),
    )}_`;
  });
  return details(`${plural(findings.length, 'ignored finding')}`, items.join('\n'));
}

function executedSqlText(r: RevisionReport): string | null {
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

function locationText(file: string, line: number | null, opts: MarkdownOptions): string {
  const label = `\`${inlineCode(line !== null ? `${file}:${line}` : file)}\``;
  const url = fileUrl(file, line, opts);
  return url ? `[${label}](${url})` : label;
}

function fileUrl(file: string, line: number | null, opts: MarkdownOptions): string | null {
  if (!opts.repoUrl || !opts.headSha || !file) return null;
  const encoded = file.split('/').map(encodeURIComponent).join('/');
  return `${opts.repoUrl}/blob/${opts.headSha}/${encoded}${line !== null ? `#L${line}` : ''}`;
}

function truncationNote(opts: MarkdownOptions, what: string): string {
  const where = opts.detailsLink
    ? `the [job summary and the report artifact](${opts.detailsLink})`
    : 'the job summary and the JSON report artifact';
  return `\n\n> [!NOTE]\n> Shortened to fit GitHub's size limit: ${what}. The full report is in ${where}.`;
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A code fence longer than any backtick run inside the content. */
function fence(content: string, lang: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${content.trimEnd()}\n${ticks}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function join(blocks: Block[]): string {
  const parts: string[] = [];
  for (let i = 0; i < blocks.length;) {
    const fold = (blocks[i] as Block).fold;
    if (!fold) {
      parts.push((blocks[i] as Block).text);
      i++;
      continue;
    }
    let j = i;
    while (j < blocks.length && (blocks[j] as Block).fold?.id === fold.id) j++;
    parts.push(
      details(
        fold.summary(j - i),
        blocks
          .slice(i, j)
          .map((b) => b.text)
          .join('\n\n'),
      ),
    );
    i = j;
  }
  return parts.join('\n\n') + '\n';
}

function size(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function cutToSize(text: string, max: number): string {
  let cut = Buffer.from(text, 'utf8').subarray(0, Math.max(0, max)).toString('utf8');
  // A cut mid-character leaves U+FFFD; drop it and the partial line.
  cut = cut.replace(/\uFFFD+$/, '');
  const nl = cut.lastIndexOf('\n');
  return nl > 0 ? cut.slice(0, nl) : cut;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function shortRef(ref: string): string {
  return /^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 7) : ref;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Text from the report (messages, revision messages, error text) outside code: must not open
 * HTML, mention, link or embed (src/scrub.ts `inertMarkdown`, the one place that decides).
 */
function escapeText(text: string): string {
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

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function tableCell(text: string): string {
  return escapeText(oneLine(text)).replace(/\|/g, '\\|');
}

function inlineCode(text: string): string {
  return text.replace(/`/g, "'");
}
