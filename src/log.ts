/** Where progress goes: stderr for the CLI, @actions/core for the action. */
import { scrubOutput } from './scrub.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group when the sink supports one. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /**
   * What runs now ("r004 upgrade"), shown live on an interactive terminal until the next
   * message; null clears it. Optional: sinks without a live line ignore it.
   */
  status?(text: string | null): void;
}

export function stderrLogger(options: { debug?: boolean; quiet?: boolean } = {}): Logger {
  // Progress names revisions and quotes their errors: scrubbed like every output.
  const write = (line: string) => process.stderr.write(`${scrubOutput(line)}\n`);
  return {
    info: (m) => {
      if (!options.quiet) write(m);
    },
    warning: (m) => write(`warning: ${m}`),
    debug: (m) => {
      if (options.debug) write(`debug: ${m}`);
    },
    group: async (title, fn) => {
      if (!options.quiet) write(title);
      return fn();
    },
  };
}

export const silentLogger: Logger = {
  info: () => {},
  warning: () => {},
  debug: () => {},
  group: (_t, fn) => fn(),
};
