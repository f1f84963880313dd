/**
 * Process-wide cleanup registry. Anything that leaves state outside the process (a container,
 * a PostgreSQL cluster in a temp dir, a database on someone's server) registers how to undo
 * it here, so an interrupted run (SIGINT/SIGTERM) and the normal end of a run both undo it.
 */
import { maskSecrets } from './errors.js';
import { scrubOutput } from './scrub.js';

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
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;
let installed: (() => void) | null = null;

/** What the run is doing, for the interruption line: `startup`, `base upgrade`, `<rev> downgrade`. */
let activity = 'startup';
let interruptedBy: StopSignal | null = null;

export function setActivity(what: string): void {
  // Frozen once interrupted: the line and the partial report name where the signal arrived.
  if (interruptedBy === null) activity = what;
}

export function currentActivity(): string {
  return activity;
}

/** The signal that interrupted the run, or null: code racing with cleanup can stand down. */
export function interruption(): StopSignal | null {
  return interruptedBy;
}

/**
 * Writes whatever the run can still report when it is interrupted (the CLI's --output): called
 * after the cleanups with the signal; returns nothing. Registered by the entry point.
 */
export type PartialReportWriter = (signal: StopSignal) => Promise<void>;
let partialReportWriter: PartialReportWriter | null = null;

export function setPartialReportWriter(writer: PartialReportWriter | null): void {
  partialReportWriter = writer;
}

/**
 * From the signal on, nothing but the final line reaches stdout/stderr: the work still in
 * flight fails as its database, server and driver go away, and none of that is news.
 * Returns the real stderr writer for that line.
 */
function silenceOutput(): (text: string) => void {
  const realStderr = process.stderr.write.bind(process.stderr);
  const swallow = ((_chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = swallow;
  process.stderr.write = swallow;
  // A client whose server vanished may throw from an event handler: the signal ends the run.
  process.on('uncaughtException', () => {});
  process.on('unhandledRejection', () => {});
  return (text) => {
    realStderr(text);
  };
}

/**
 * On SIGINT/SIGTERM: silence the run, run all cleanups (at most `timeoutMs`: driver process
 * group, databases, roles, servers, temp dirs), write the partial report when one was asked
 * for, print one line and exit 130/143. A second signal while cleaning up exits at once.
 * Idempotent; returns a function that uninstalls.
 */
export function installSignalHandlers(
  options: { timeoutMs?: number; onSignal?: (signal: string) => void; quiet?: boolean } = {},
): () => void {
  if (installed) return installed;
  const handlers = (Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]).map((signal) => {
    const code = SIGNAL_EXIT_CODES[signal];
    const handler = () => {
      if (interruptedBy) process.exit(code);
      interruptedBy = signal;
      const during = activity;
      const say = options.quiet ? () => {} : silenceOutput();
      options.onSignal?.(signal);
      void (async () => {
        const errors = await runCleanups({ timeoutMs: options.timeoutMs ?? 10_000 });
        let reportNote = '';
        if (partialReportWriter) {
          try {
            await partialReportWriter(signal);
          } catch (e) {
            reportNote = `; partial report not written: ${e instanceof Error ? e.message : String(e)}`;
          }
        }
        const outcome =
          errors.length === 0
            ? 'cleaned up'
            : `cleanup failed: ${maskSecrets(errors[0]!.message.split('\n')[0] ?? '')}`;
        const line = `migration-guard: interrupted during ${during}; ${outcome}${reportNote}`;
        say(`${scrubOutput(line.replace(/\s+/g, ' '))}\n`);
      })().finally(() => process.exit(code));
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
