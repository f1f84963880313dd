/**
 * The CLI's help, errors, colour and live status line, through runCli with captured streams.
 * The help of every command is a snapshot: a change to it is a visible diff in review.
 */
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli.js';
import { runCli } from '../../../src/cli.js';
import { TOOL_VERSION } from '../../../src/meta.js';
import { COMMANDS } from '../../../src/options.js';
import { colorEnabled, terminalLogger, wrapText } from '../../../src/terminal.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  argv: string[],
  opts: { tty?: boolean; env?: NodeJS.ProcessEnv; columns?: number } = {},
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: {
      write: (c) => ((stdout += c), true),
      isTTY: opts.tty ?? false,
      columns: opts.columns,
    },
    stderr: { write: (c) => ((stderr += c), true), isTTY: opts.tty ?? false },
    env: opts.env ?? {},
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const ESC = '\u001b[';

describe('help', () => {
  it('top-level help lists every command', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name} `);
    expect(r.stdout).toMatchSnapshot();
    expect((await run(['help'])).stdout).toBe(r.stdout);
    expect((await run(['-h'])).stdout).toBe(r.stdout);
  });

  it('no command prints the help and exits 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('usage: migration-guard <command>');
  });

  it.each(COMMANDS.map((c) => c.name).filter((c) => c !== 'help'))(
    '%s --help, -h and help %s print the same snapshot',
    async (command) => {
      const long = await run([command, '--help']);
      expect(long.code).toBe(0);
      expect(long.stderr).toBe('');
      expect(long.stdout).toMatch(new RegExp(`^usage: migration-guard ${command} `));
      expect(long.stdout).toMatchSnapshot();
      expect((await run([command, '-h'])).stdout).toBe(long.stdout);
      expect((await run(['help', command])).stdout).toBe(long.stdout);
      // --help wins over other flags, even invalid ones.
      expect((await run([command, '--fial-on', 'x', '--help'])).stdout).toBe(long.stdout);
    },
  );

  it('keeps lines within the width', async () => {
    for (const c of COMMANDS) {
      const r = await run(['help', c.name]);
      for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
      const narrow = await run(['help', c.name], { tty: true, columns: 72, env: { NO_COLOR: '1' } });
      for (const line of narrow.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(72);
    }
  });

  it('help for an unknown command suggests one', async () => {
    const r = await run(['help', 'chek']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('migration-guard: no help for "chek": did you mean check?\n');
  });
});

describe('errors and version', () => {
  it('--version prints the version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, stdout: `${TOOL_VERSION}\n`, stderr: '' });
    }
  });

  it('an unknown flag gets the nearest one, exit 2, one line', async () => {
    const r = await run(['check', '--fial-on', 'warning']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('migration-guard: unknown option --fial-on for check: did you mean --fail-on?\n');
  });

  it('an unknown command gets the nearest one', async () => {
    const r = await run(['chek']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('migration-guard: unknown command "chek": did you mean check?\n');
  });

  it('a bare-number duration is refused', async () => {
    const r = await run(['check', '--statement-timeout', '5', '--no-database']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^migration-guard: --statement-timeout: expected a duration with a unit/);
  });
});

describe('rules and explain', () => {
  it('rules --format json lists every rule with its docs URL', async () => {
    const r = await run(['rules', '--format', 'json']);
    expect(r.code).toBe(0);
    const rules = JSON.parse(r.stdout) as Array<Record<string, string>>;
    expect(rules.length).toBeGreaterThan(30);
    expect(rules[0]).toEqual(
      expect.objectContaining({
        id: 'multiple-heads',
        kind: 'graph',
        defaultSeverity: 'error',
        docsUrl: expect.stringMatching(/\/rules\/multiple-heads\.md$/),
      }),
    );
    const text = await run(['rules']);
    expect(text.stdout.split('\n').filter(Boolean)).toHaveLength(rules.length);
    expect((await run(['rules', '--format', 'sarif'])).code).toBe(2);
  });

  it('explain prints the doc; a typo gets a suggestion', async () => {
    const r = await run(['explain', 'drop-table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# drop-table/);
    const typo = await run(['explain', 'drop-tabel']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean drop-table?');
  });
});

describe('colour', () => {
  it('on a terminal, never with NO_COLOR, forced with FORCE_COLOR', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('help and errors are coloured on a terminal only', async () => {
    expect((await run(['--help'], { tty: true })).stdout).toContain(ESC);
    expect((await run(['--help'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await run(['--help'])).stdout).not.toContain(ESC);
    expect((await run(['--help'], { env: { FORCE_COLOR: '1' } })).stdout).toContain(ESC);
    expect((await run(['chek'], { tty: true })).stderr).toContain(`${ESC}31mmigration-guard:`);
  });
});

describe('progress', () => {
  function sink(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, stream: { write: (c: string) => (chunks.push(c), true), isTTY, columns: 80 } };
  }

  it('shows a live status line on an interactive terminal and erases it for the next line', () => {
    const { chunks, stream } = sink(true);
    const log = terminalLogger({ stream, env: {} });
    log.status?.('r004 upgrade');
    expect(chunks.join('')).toContain('r004 upgrade … 0 s');
    log.info('  r004 upgrade 12 ms');
    const after = chunks.join('');
    expect(after.lastIndexOf('\r\u001b[2K')).toBeGreaterThan(after.indexOf('r004 upgrade … 0 s'));
    expect(after).toContain('  r004 upgrade 12 ms\n');
    log.close();
    expect(chunks.at(-1)).toBe('\r\u001b[2K');
  });

  it('prints plain lines only in CI or when piped', () => {
    for (const [tty, env] of [
      [true, { CI: 'true' }],
      [false, {}],
    ] as const) {
      const { chunks, stream } = sink(tty);
      const log = terminalLogger({ stream, env });
      log.status?.('r004 upgrade');
      log.info('  r004 upgrade 12 ms');
      log.close();
      expect(chunks).toEqual(['  r004 upgrade 12 ms\n']);
    }
  });

  it('--quiet keeps warnings only', () => {
    const { chunks, stream } = sink(false);
    const log = terminalLogger({ stream, env: {}, quiet: true });
    log.info('progress');
    log.warning('careful');
    expect(chunks).toEqual(['warning: careful\n']);
  });

  it('wraps words within the width', () => {
    expect(wrapText('aaa bbb ccc ddd', 7)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(wrapText('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});
