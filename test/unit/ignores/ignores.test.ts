import { describe, expect, it } from 'vitest';
import { invalidIgnoreRule, knownRuleIds } from '../../../rules/index.js';
import type { IgnoreEntry } from '../../../src/config.js';
import type { PlacedFinding } from '../../../src/lint/run.js';
import { applyIgnores, parseIgnoreComments, pathMatches } from '../../../src/lint/ignores.js';

const FILE = 'migrations/versions/abc123_add_index.py';

function finding(
  rule: string,
  line: number | null,
  file: string | null = FILE,
  revision: string | null = 'abc123',
): PlacedFinding {
  return {
    revision,
    finding: {
      rule,
      severity: 'error',
      message: 'm',
      help: 'h',
      docsUrl: 'u',
      file,
      line,
      statement: null,
      ignored: false,
      ignoreReason: null,
    },
  };
}

const source = [
  '"""add index"""', // 1
  'from alembic import op', // 2
  '', // 3
  'def upgrade():', // 4
  '    # migration-guard: ignore require-concurrent-index -- orders has 12 rows', // 5
  '    op.create_index("ix_a", "orders", ["a"])', // 6
  '    op.drop_index("ix_b")  # migration-guard: ignore require-concurrent-index-drop -- unused index', // 7
  '    op.create_index(', // 8
  '        "ix_c",', // 9
  '        "orders",  # migration-guard: ignore require-concurrent-index -- tiny', // 10
  '        ["c"],', // 11
  '    )', // 12
  '    # migration-guard: ignore drop-table -- archived', // 13
  '    # migration-guard: ignore rename-table -- view kept', // 14
  '    op.rename_table("x", "y")', // 15
  '    op.create_index("ix_d", "orders", ["d"])', // 16
  '    # migration-guard: ignore require-concurrent-index -- not for the line below the next', // 17
  '    x = 1', // 18
  '    op.create_index("ix_e", "orders", ["e"])', // 19
].join('\n');

function apply(findings: PlacedFinding[], configIgnores: IgnoreEntry[] = [], projectPrefix?: string) {
  return applyIgnores(findings, {
    sources: new Map([[FILE, source]]),
    configIgnores,
    revisionFiles: new Map([['abc123', FILE]]),
    projectPrefix,
    knownRules: knownRuleIds,
    invalidIgnoreRule,
  });
}

describe('parseIgnoreComments', () => {
  it('reads rule lists and reasons, and reports problems with their line', () => {
    const text = [
      'op.x()  # migration-guard: ignore drop-table, rename-table -- legacy, see #12',
      '# migration-guard: ignore drop-table',
      '# migration-guard: ignore no-such-rule, drop-table -- typo in one id',
    ].join('\n');
    const { ignores, problems } = parseIgnoreComments(text, knownRuleIds);
    expect(ignores).toEqual([
      { line: 1, ownLine: false, rules: ['drop-table', 'rename-table'], reason: 'legacy, see #12' },
      { line: 3, ownLine: true, rules: ['drop-table'], reason: 'typo in one id' },
    ]);
    expect(problems.map((p) => p.line)).toEqual([2, 3]);
    expect(problems[0]?.message).toMatch(/no reason/);
    expect(problems[1]?.message).toMatch(/unknown rule "no-such-rule"/);
  });
});

describe('applyIgnores: inline comments', () => {
  it.each([
    ['comment on the line above', 'require-concurrent-index', 6, 'orders has 12 rows'],
    ['trailing comment on the op line', 'require-concurrent-index-drop', 7, 'unused index'],
    ['comment inside a multi-line call, finding on its first line', 'require-concurrent-index', 8, 'tiny'],
    ['comment inside a multi-line call, finding on its last line', 'require-concurrent-index', 12, 'tiny'],
    ['second of two stacked comments above', 'rename-table', 15, 'view kept'],
    ['first of two stacked comments above', 'drop-table', 15, 'archived'],
  ])('%s', (_name, rule, line, reason) => {
    const [out] = apply([finding(rule, line)]);
    expect(out?.finding).toMatchObject({ ignored: true, ignoreReason: reason });
  });

  it.each([
    ['a comment for another rule', 'require-concurrent-index', 7],
    ['no comment near the statement', 'require-concurrent-index', 16],
    ['a comment separated by other code', 'require-concurrent-index', 19],
    ['a finding without a line', 'require-concurrent-index', null],
  ])('does not ignore: %s', (_name, rule, line) => {
    const [out] = apply([finding(rule, line as number | null)]);
    expect(out?.finding).toMatchObject({ ignored: false, ignoreReason: null });
  });

  it('finds the file through the revision when the finding has none', () => {
    const [out] = apply([finding('require-concurrent-index', 6, null, 'abc123')]);
    expect(out?.finding.ignored).toBe(true);
  });
});

describe('applyIgnores: config entries', () => {
  const entry = (e: Partial<IgnoreEntry>): IgnoreEntry => ({
    rule: 'drop-table',
    reason: 'from config',
    ...e,
  });

  it.each([
    ['rule only', entry({}), true],
    ['rule + revision', entry({ revision: 'abc123' }), true],
    ['other revision', entry({ revision: 'fff000' }), false],
    ['path glob', entry({ path: 'migrations/versions/*_add_*.py' }), true],
    ['path ** glob', entry({ path: '**/abc123_*.py' }), true],
    ['directory path', entry({ path: 'migrations/versions' }), true],
    ['non-matching path', entry({ path: 'migrations/other/*.py' }), false],
    ['other rule', entry({ rule: 'rename-table' }), false],
  ])('%s', (_name, ignore, ignored) => {
    const [out] = apply([finding('drop-table', 16)], [ignore]);
    expect(out?.finding.ignored).toBe(ignored);
    expect(out?.finding.ignoreReason).toBe(ignored ? 'from config' : null);
  });

  it('matches paths relative to the project directory', () => {
    const file = 'services/api/migrations/versions/abc123_add_index.py';
    const out = applyIgnores([finding('drop-table', 3, file)], {
      sources: new Map(),
      configIgnores: [entry({ path: 'migrations/versions/*.py' })],
      revisionFiles: new Map([['abc123', file]]),
      projectPrefix: 'services/api',
      knownRules: knownRuleIds,
      invalidIgnoreRule,
    });
    expect(out[0]?.finding.ignored).toBe(true);
  });

  it('never ignores invalid-ignore findings, and appends them once per bad comment', () => {
    const bad = 'op.drop_table("t")  # migration-guard: ignore drop-table\n';
    const out = applyIgnores([finding('drop-table', 1)], {
      sources: new Map([[FILE, bad]]),
      configIgnores: [{ rule: 'invalid-ignore', reason: 'try to hide it' }],
      revisionFiles: new Map([['abc123', FILE]]),
      knownRules: knownRuleIds,
      invalidIgnoreRule,
    });
    expect(out.map((p) => [p.finding.rule, p.finding.ignored, p.revision, p.finding.line])).toEqual([
      ['drop-table', false, 'abc123', 1],
      ['invalid-ignore', false, 'abc123', 1],
    ]);
  });
});

describe('pathMatches', () => {
  it.each([
    ['a/*.py', 'a/b.py', true],
    ['a/*.py', 'a/c/b.py', false],
    ['a/**/*.py', 'a/c/d/b.py', true],
    ['a/**/*.py', 'a/b.py', true],
    ['./a/b.py', 'a/b.py', true],
    ['a/b?.py', 'a/b1.py', true],
    ['a.b/c.py', 'aXb/c.py', false],
  ])('%s ~ %s → %s', (pattern, file, expected) => {
    expect(pathMatches(pattern, file)).toBe(expected);
  });
});
