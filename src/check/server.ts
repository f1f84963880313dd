/**
 * The database server of a check, started before static analysis so the two overlap, awaited
 * only when a round trip needs it (a failure to start surfaces only then), always disposed.
 */
import type { Config } from '../config.js';
import type { DatabaseServer } from '../database/index.js';
import { startServer } from '../database/index.js';

export interface LazyServer {
  /** Waits for the server (once); throws its start error. */
  get(): Promise<DatabaseServer>;
  /** When the server became ready and how long the pipeline waited for it, in ms since `started`. */
  timings: Record<string, number>;
  /** Stops the server if it started, whether or not anyone used it. */
  dispose(): Promise<void>;
}

export function startLazyServer(config: Config, started: number): LazyServer {
  const serverStart =
    config.database.kind === 'none' ? null : startServer(config.database, { log: config.log });
  const timings: Record<string, number> = {};
  serverStart?.then(
    () => (timings.serverReadyMs = Math.round(performance.now() - started)),
    () => undefined,
  );
  let server: DatabaseServer | null = null;
  return {
    timings,
    async get() {
      if (!serverStart) throw new Error('no database configured');
      if (!server) {
        const t0 = performance.now();
        server = await serverStart;
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
