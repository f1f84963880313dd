/**
 * No source file of src/ over 400 lines (docs/ARCHITECTURE.md "Layers"): a file that grows past
 * it holds more than one idea, and is split along them before it lands. TypeScript and the
 * Python programs the tool runs alike.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

export const MAX_LINES = 400;
const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** Source files below `dir`, relative to `base`. */
function sourceFiles(base: string, dir: string): string[] {
  return readdirSync(path.join(base, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : sourceFiles(base, rel);
    return /\.(ts|py)$/.test(entry.name) ? [rel] : [];
  });
}

function lineCount(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** `file: N lines` for each source file below `base/dir` over the limit. */
function tooLong(base: string, dir: string): string[] {
  return sourceFiles(base, dir)
    .map((f) => ({ f, lines: lineCount(path.join(base, f)) }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ f, lines }) => `${f}: ${lines} lines`);
}

describe('file size', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'mg-file-size-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it(`flags a file of ${MAX_LINES + 1} lines, in a subfolder, and not one of ${MAX_LINES}`, () => {
    mkdirSync(path.join(scratch, 'src', 'deep'), { recursive: true });
    const lines = (n: number) => 'x;\n'.repeat(n);
    writeFileSync(path.join(scratch, 'src', 'fits.ts'), lines(MAX_LINES));
    writeFileSync(path.join(scratch, 'src', 'deep', 'long.ts'), lines(MAX_LINES + 1));
    writeFileSync(path.join(scratch, 'src', 'deep', 'long.py'), lines(MAX_LINES + 5).trimEnd());
    writeFileSync(path.join(scratch, 'src', 'deep', 'notes.md'), lines(MAX_LINES * 2));
    expect(tooLong(scratch, 'src').sort()).toEqual([
      `src/deep/long.py: ${MAX_LINES + 5} lines`,
      `src/deep/long.ts: ${MAX_LINES + 1} lines`,
    ]);
  });

  it(`keeps every TypeScript and Python file of src/ at ${MAX_LINES} lines or fewer`, () => {
    const files = sourceFiles(root, 'src');
    expect(files.filter((f) => f.endsWith('.ts')).length).toBeGreaterThan(50);
    expect(files.filter((f) => f.endsWith('.py')).length).toBeGreaterThanOrEqual(7);
    expect(tooLong(root, 'src')).toEqual([]);
  });
});
