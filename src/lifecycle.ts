/**
 * Process-wide cleanup registry. Anything that leaves state outside the process (a container,
 * a PostgreSQL cluster in a temp dir, a database on someone's server) registers how to undo
 * it here, so an interrupted run (SIGINT/SIGTERM) and the normal end of a run both undo it.
 */
import { maskSecrets } from './errors.js';

export type Cleanup = () => Promise<void>;

const cleanups = new Set<Cleanup>();

/** Registers `fn`; the returned function unregisters it (call it once `fn` has run). */
export function registerCleanup(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Number of cleanups still registered (for tests and debug output). */
export function pendingCleanups(): number {
  return cleanups.size;
}

/**
 * Runs every registered cleanup concurrently (they are independent) and forgets them. Errors
 * are collected, not thrown: a failing cleanup must not stop the others. Resolves after at
 * most `timeoutMs` even when a cleanup hangs.
 */
export async function runCleanups(options: { timeoutMs?: number } = {}): Promise<Error[]> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  const errors: Error[] = [];
  const all = Promise.allSettled(
    pending.map(async (fn) => {
      try {
        await fn();
      } catch (e) {
        errors.push(e instanceof Error ? e : new Error(String(e)));
      }
    }),
  );
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      errors.push(new Error(`cleanup did not finish within ${timeoutMs} ms`));
      resolve();
    }, timeoutMs);
  });
  await Promise.race([all, timedOut]);
  clearTimeout(timer);
  return errors;
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
let installed: (() => void) | null = null;

/**
 * On SIGINT/SIGTERM: run all cleanups (at most `timeoutMs`), then exit 130/143. A second
 * signal while cleaning up exits at once. Idempotent; returns a function that uninstalls.
 */
export function installSignalHandlers(
  options: { timeoutMs?: number; onSignal?: (signal: string) => void } = {},
): () => void {
  if (installed) return installed;
  let cleaningUp = false;
  const handlers = Object.entries(SIGNAL_EXIT_CODES).map(([signal, code]) => {
    const handler = () => {
      if (cleaningUp) process.exit(code);
      cleaningUp = true;
      options.onSignal?.(signal);
      void runCleanups({ timeoutMs: options.timeoutMs ?? 10_000 }).finally(() => process.exit(code));
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  installed = () => {
    for (const { signal, handler } of handlers) process.off(signal, handler);
    installed = null;
  };
  return installed;
}

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`. */
export function maskUrl(url: string): string {
  return maskSecrets(url);
}
