/**
 * Size capping of the markdown report. The renderers produce blocks tagged by what they hold;
 * when the joined text is over the cap, it degrades in a fixed order — executed SQL first, then
 * ignored findings, then findings — and a note says what was left out and where the rest is.
 */
import { details } from './text.js';

export type BlockKind = 'core' | 'finding' | 'ignored' | 'sql';
export interface Block {
  kind: BlockKind;
  text: string;
  /**
   * Consecutive finding blocks of one group are folded into one `<details>` when joined, so
   * truncation can drop single findings and the HTML stays balanced.
   */
  fold?: { id: string; summary: (shown: number) => string };
}

/** The blocks as one text of at most `max` UTF-8 bytes (no cap when `max` is not given). */
export function fitBlocks(blocks: Block[], max: number | undefined, detailsLink: string | undefined): string {
  const limit = max ?? Number.POSITIVE_INFINITY;
  const full = join(blocks);
  if (size(full) <= limit) return full;

  // Degrade in order: executed SQL, then ignored findings, then findings.
  const withoutSql = blocks.filter((b) => b.kind !== 'sql');
  const note1 = truncationNote(detailsLink, 'executed SQL is not shown');
  let text = join(withoutSql) + note1;
  if (size(text) <= limit) return text;

  const essential = withoutSql.filter((b) => b.kind !== 'ignored');
  const note2 = truncationNote(detailsLink, 'executed SQL and ignored findings are not shown');
  text = join(essential) + note2;
  if (size(text) <= limit) return text;

  // Keep every core block (verdict, tables) and as many findings as fit, in order.
  const findingCount = essential.filter((b) => b.kind === 'finding').length;
  const coreSize = size(join(essential.filter((b) => b.kind === 'core')));
  const omittedNoteReserve = 200;
  let budget = limit - coreSize - size(note2) - omittedNoteReserve;
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
      detailsLink,
      `${omitted} of ${findingCount} findings, executed SQL and ignored findings are not shown`,
    );
  text = join(kept) + note3();
  // Folding wrappers and separators are not in the estimate: drop the last findings until it fits.
  while (size(text) > limit) {
    const last = kept.findLastIndex((b) => b.kind === 'finding');
    if (last < 0) break;
    kept.splice(last, 1);
    omitted++;
    text = join(kept) + note3();
  }
  if (size(text) <= limit) return text;
  // Even the tables do not fit (thousands of revisions): cut at a line boundary.
  return cutToSize(join(kept), limit - size(note3()) - 8) + '\n\n…\n' + note3();
}

function truncationNote(detailsLink: string | undefined, what: string): string {
  const where = detailsLink
    ? `the [job summary and the report artifact](${detailsLink})`
    : 'the job summary and the JSON report artifact';
  return `\n\n> [!NOTE]\n> Shortened to fit GitHub's size limit: ${what}. The full report is in ${where}.`;
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
