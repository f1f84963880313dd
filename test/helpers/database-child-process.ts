/** Spawns test/helpers/database-child.ts (TypeScript run directly by Node 24). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseSpec } from '../../src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function nodeTsArgs(script: string, args: string[]): string[] {
  return [
    '--experimental-transform-types',
    '--no-warnings',
    '--import',
    path.join(root, 'test/helpers/ts-hooks.mjs'),
    path.join(root, script),
    ...args,
  ];
}

export function spawnDatabaseChild(
  mode: 'hold' | 'start',
  spec: DatabaseSpec,
  options: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const args = nodeTsArgs('test/helpers/database-child.ts', [mode, JSON.stringify(spec)]);
  const [cmd, ...rest] = [...(options.wrap ?? []), process.execPath, ...args];
  return spawn(cmd!, rest, { cwd: root, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function waitForExit(child: ChildProcess): Promise<ChildResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with the first stdout line (the child's JSON) or rejects when it exits first. */
export function firstLine(child: ChildProcess, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`no output within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buffer.slice(0, nl));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before printing: ${stderr}`));
    });
  });
}

/** Resolves with the first match of `pattern` in the child's stderr. */
export function stderrMatch(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in stderr within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = pattern.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`child exited before ${pattern} appeared: ${stderr}`));
    });
  });
}
