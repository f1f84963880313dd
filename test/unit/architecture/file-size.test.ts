/**
 * No source file of src/ over 400 lines (docs/ARCHITECTURE.md "Layers"): a file that grows past
 * it holds more than one idea, and is split along them before it lands.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

export const MAX_LINES = 400;
const root = path.resolve(import.meta.dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.(ts|py)$/.test(entry.name) ? [rel] : [];
  });
}

function lineCount(file: string): number {
  const text = readFileSync(path.join(root, file), 'utf8');
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

describe('file size', () => {
  it(`keeps every TypeScript file of src/ at ${MAX_LINES} lines or fewer`, () => {
    const files = sourceFiles('src').filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(50);
    const tooLong = files
      .map((f) => `${f}: ${lineCount(f)} lines`)
      .filter((_, i) => lineCount(files[i] as string) > MAX_LINES);
    expect(tooLong).toEqual([]);
  });
});
