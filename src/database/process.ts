/** Running the PostgreSQL and npm programs the local provider needs, output collected. */
import { execFile } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
}

export function run(
  file: string,
  args: string[],
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, cwd: options.cwd },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stdout, stderr }));
        else resolve({ stdout, stderr });
      },
    );
  });
}
