/**
 * Every Python program the tool runs (the .py files under src/, copied into dist/ by the build)
 * is linted with pyflakes (Debian's python3-pyflakes, installed by scripts/setup-test-env.sh) and
 * compiles warning-free on both Python stacks: Debian bookworm's 3.11 and trixie's 3.13. Each
 * check is first shown to catch a real mistake in a throwaway file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testPythons } from '../../integration/roundtrip/fixtures.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
/** Debian's interpreter, where python3-pyflakes is installed (not whatever python3 is first on PATH). */
const DEBIAN_PYTHON = '/usr/bin/python3';

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : pythonFiles(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

const ourFiles = pythonFiles(path.join(root, 'src')).sort();
const scratch = mkdtempSync(path.join(tmpdir(), 'mg-python-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function scratchFile(name: string, source: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, source);
  return file;
}

function run(argv: string[], args: string[]): { code: number | null; output: string } {
  const [command, ...prefix] = argv as [string, ...string[]];
  const result = spawnSync(command, [...prefix, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function pyflakes(files: string[]): { code: number | null; output: string } {
  return run([DEBIAN_PYTHON], ['-m', 'pyflakes', ...files]);
}

/** Compiles each file in memory (no __pycache__ is written); -W error makes a SyntaxWarning fail. */
function compileAll(argv: string[], files: string[]): { code: number | null; output: string } {
  const program = [
    'import sys',
    'failed = 0',
    'for name in sys.argv[1:]:',
    '    try:',
    '        with open(name, encoding="utf-8") as f:',
    '            compile(f.read(), name, "exec")',
    '    except (SyntaxError, ValueError) as e:',
    '        failed += 1',
    '        print(f"{name}: {type(e).__name__}: {e}")',
    'sys.exit(1 if failed else 0)',
  ].join('\n');
  return run(argv, ['-W', 'error', '-c', program, ...files]);
}

describe('the Python files the tool runs', () => {
  it('are the driver programs under src/', () => {
    const names = ourFiles.map((f) => path.relative(root, f));
    expect(names).toContain('src/driver/driver.py');
    expect(names).toContain('src/driver/capture_metadata.py');
    expect(names).toContain('src/driver/resolve_revisions.py');
    expect(names.length).toBeGreaterThanOrEqual(7);
  });
});

describe('pyflakes', () => {
  it('is installed (scripts/setup-test-env.sh installs python3-pyflakes)', () => {
    const { code, output } = run([DEBIAN_PYTHON], ['-m', 'pyflakes', '--version']);
    expect(output, 'run scripts/setup-test-env.sh').toMatch(/^\d+\.\d+/);
    expect(code).toBe(0);
  });

  it('catches an unused import and an undefined name in a throwaway file', () => {
    const bad = scratchFile(
      'unused_import.py',
      'import os\nimport json\n\n\ndef dump(value):\n    return json.dumps(valeu)\n',
    );
    const { code, output } = pyflakes([bad]);
    expect(code).toBe(1);
    expect(output).toContain(`${bad}:1:1: 'os' imported but unused`);
    expect(output).toContain("undefined name 'valeu'");
    expect(output).not.toContain("'json' imported but unused");
  });

  it('finds nothing in our files', () => {
    expect(pyflakes(ourFiles)).toEqual({ code: 0, output: '' });
  });
});

describe.each(testPythons())('compiling with $name', ({ argv }) => {
  it('catches a syntax error in a throwaway file', () => {
    const bad = scratchFile('syntax_error.py', 'def broken(:\n    pass\n');
    const { code, output } = compileAll(argv, [bad]);
    expect(code).toBe(1);
    expect(output).toContain(`${bad}: SyntaxError`);
  });

  it('fails on a compile warning too (an invalid escape sequence in a regex string)', () => {
    const warns = scratchFile('escape_warning.py', 'import re\n\nDIGITS = re.compile("\\d+")\n');
    const { code, output } = compileAll(argv, [warns]);
    expect(code).toBe(1);
    expect(output).toContain(`${warns}: SyntaxError: invalid escape sequence '\\d'`);
  });

  it('compiles every file warning-free', () => {
    expect(compileAll(argv, ourFiles)).toEqual({ code: 0, output: '' });
  });
});

describe('the two stacks differ', () => {
  it('bookworm 3.11 rejects syntax trixie 3.13 accepts (a `type` alias), so both are compiled', () => {
    const newer = scratchFile('type_alias.py', 'type Rows = list[int]\n');
    expect(compileAll([DEBIAN_PYTHON], [newer]).code).toBe(1);
    const trixie = testPythons().find((p) => p.name.startsWith('trixie'));
    if (trixie) expect(compileAll(trixie.argv, [newer])).toEqual({ code: 0, output: '' });
  });
});
