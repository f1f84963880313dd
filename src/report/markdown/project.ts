/**
 * One project's part of the markdown report, as blocks: its header and revision table (with
 * the security warnings and the data it ran with), project findings, each pending revision's
 * findings and notes, the ignored findings, and the executed SQL.
 */
import type { ProjectReport } from '../model.js';
import { securityWarnings } from '../model.js';
import { executedSqlText } from './executed.js';
import type { Block } from './fit.js';
import { findingBlocks, ignoredText, revisionTitle } from './findings.js';
import type { MarkdownOptions } from './options.js';
import { reseededGroups, reseededSentence } from '../reseeded.js';
import { revisionTable } from './revision-table.js';
import { escapeText, inlineCode, oneLine, shortRef } from './text.js';

export function projectBlocks(project: ProjectReport, projectCount: number, opts: MarkdownOptions): Block[] {
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
  const notes = (project.notes ?? []).map((n) => `> [!NOTE]\n> ${escapeText(oneLine(n))}`);
  const seeded = [seedText(project), ...reseededText(pending)].filter((x) => x !== '').join(' ');
  blocks.push({
    kind: 'core',
    text: [header, ...warnings, ...notes, table, seeded].filter((x) => x !== '').join('\n\n'),
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

/** The revisions that ran on rows seeded afresh after a failure rebuilt the database. */
function reseededText(pending: ProjectReport['revisions']): string[] {
  return reseededGroups(pending).map((g) => `${reseededSentence(g, (id) => `\`${inlineCode(id)}\``)}.`);
}
