/**
 * The database server of a check. It starts when the first project's static analysis finds
 * revisions to round-trip (`start()`, so the other projects' analyses overlap its boot), or at
 * the latest when a round trip awaits it (`get()`), and never when no project needs it:
 * only-changed with nothing changed, no pending revision, static checks only. A failure to
 * start surfaces where a round trip awaits it. Disposed if it started.
 */
import type { Config } from '../config.js';
import type { DatabaseServer } from '../database/index.js';
import { startServer } from '../database/index.js';

export interface LazyServer {
  /** Starts the server in the background (once); its error is kept for `get()`. */
  start(): void;
  /** Starts the server if needed and waits for it (once); throws its start error. */
  get(): Promise<DatabaseServer>;
  /** When the server became ready and how long the pipeline waited for it, in ms since `started`. */
  timings: Record<string, number>;
  /** Stops the server if it started, whether or not anyone used it. */
  dispose(): Promise<void>;
}

export function startLazyServer(config: Config, started: number): LazyServer {
  const timings: Record<string, number> = {};
  let serverStart: Promise<DatabaseServer> | null = null;
  const begin = (): Promise<DatabaseServer> => {
    if (config.database.kind === 'none') return Promise.reject(new Error('no database configured'));
    if (!serverStart) {
      serverStart = startServer(config.database, {
        log: config.log,
        postgresVersion: config.postgresVersion,
      });
      serverStart.then(
        () => (timings.serverReadyMs = Math.round(performance.now() - started)),
        () => undefined,
      );
    }
    return serverStart;
  };
  let server: DatabaseServer | null = null;
  return {
    timings,
    start() {
      begin().catch(() => undefined);
    },
    async get() {
      if (!server) {
        const t0 = performance.now();
        server = await begin();
        timings.serverWaitMs = (timings.serverWaitMs ?? 0) + Math.round(performance.now() - t0);
      }
      return server;
    },
    async dispose() {
      if (!serverStart) return;
      const s = server ?? (await serverStart.catch(() => null));
      if (s) await s.dispose();
    },
  };
}
