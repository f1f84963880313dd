/** What a finished CLI process left, and the check every bad-input test makes of it. */
import { expect } from 'vitest';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Bad input: exit `code` and exactly one stderr line matching `pattern`, never a stack trace. */
export function expectOneLineError(r: CliRun, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}
