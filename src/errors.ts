/**
 * Errors the user can act on. The CLI and the action print `message` as one line (never a
 * stack trace) and exit with `exitCode`: 2 = usage/configuration, 3 = infrastructure.
 */
import { maskLogText } from './scrub.js';

export const EXIT_PASSED = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INFRA = 3;

export class MigrationGuardError extends Error {
  readonly exitCode: 2 | 3;
  constructor(message: string, exitCode: 2 | 3, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationGuardError';
    this.exitCode = exitCode;
  }
}

/** A usage or configuration problem (exit 2). The message must say what to do. */
export function usageError(message: string, cause?: unknown): MigrationGuardError {
  return new MigrationGuardError(message, EXIT_USAGE, { cause });
}

/** An infrastructure problem: no Docker, Python without alembic, database unreachable (exit 3). */
export function infraError(message: string, cause?: unknown): MigrationGuardError {
  return new MigrationGuardError(message, EXIT_INFRA, { cause });
}

export function isMigrationGuardError(e: unknown): e is MigrationGuardError {
  return e instanceof MigrationGuardError;
}

/**
 * Masks passwords in URLs and key/value DSNs and every secret the run knows, in a message the
 * tool wrote around outside text: only the tool's name stays (src/scrub.ts `maskLogText`).
 */
export function maskSecrets(text: string): string {
  return maskLogText(text);
}
