/**
 * What the CLI does with a terminal: colour (on a TTY; never with NO_COLOR; forced with
 * FORCE_COLOR), wrapping, and a live status line for the running step on an interactive
 * stderr ("r004 upgrade … 12 s"); in CI or when piped, plain lines only.
 */
import type { Logger } from './log.js';
import { scrubOutput } from './scrub.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

const identity = (s: string) => s;
export const plainStyle: Style = {
  bold: identity,
  dim: identity,
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
};

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const colorStyle: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
};

/** https://no-color.org and the FORCE_COLOR convention: FORCE_COLOR wins, then NO_COLOR, then the TTY. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Style {
  return colorEnabled(stream, env) ? colorStyle : plainStyle;
}

/** Columns to wrap help at: the terminal's, at most 100; 100 when not a terminal. */
export function helpWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns ? Math.max(60, Math.min(100, stream.columns)) : 100;
}

/** Greedy word wrap; a word longer than the width gets its own line. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

export interface StatusSink {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * The CLI's stderr logger. On an interactive terminal (a TTY and not CI) `status()` shows a
 * line that is redrawn every second with the time the step has been running and erased by the
 * next message; elsewhere status lines are not printed at all (the step's result line follows
 * when it ends), so CI logs stay plain.
 */
export function terminalLogger(
  options: { debug?: boolean; quiet?: boolean; stream?: StatusSink; env?: NodeJS.ProcessEnv } = {},
): Logger & { close(): void } {
  const stream: StatusSink = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  const live = stream.isTTY === true && !env.CI && !options.quiet;
  const style = styleFor(stream, env);
  let status: { text: string; since: number } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let shown = false;

  const clear = () => {
    if (shown) stream.write('\r\u001b[2K');
    shown = false;
  };
  const draw = () => {
    if (!status) return;
    const seconds = Math.floor((Date.now() - status.since) / 1000);
    const width = (stream.columns ?? 80) - 1;
    const text = `${status.text} … ${seconds} s`;
    stream.write(`\r\u001b[2K${style.dim(text.length > width ? `${text.slice(0, width - 1)}…` : text)}`);
    shown = true;
  };
  // Callers pass revision names and their errors: each message is scrubbed (passwords,
  // control characters, `::` lines) before it is styled, so the colour codes survive.
  const write = (line: string) => {
    clear();
    stream.write(`${line}\n`);
    draw();
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
    status = null;
    clear();
  };
  return {
    info: (m) => {
      if (!options.quiet) write(scrubOutput(m));
    },
    warning: (m) => write(`${style.yellow('warning:')} ${scrubOutput(m)}`),
    debug: (m) => {
      if (options.debug) write(style.dim(`debug: ${scrubOutput(m)}`));
    },
    group: async (title, fn) => {
      if (!options.quiet) write(style.bold(scrubOutput(title)));
      return fn();
    },
    status: (text) => {
      if (!live) return;
      if (text === null) {
        stop();
        return;
      }
      status = { text: scrubOutput(text), since: Date.now() };
      draw();
      if (!timer) {
        timer = setInterval(draw, 1000);
        timer.unref();
      }
    },
    close: stop,
  };
}
