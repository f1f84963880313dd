import { describe, expect, it } from 'vitest';
import { invalidIgnoreRule, knownRuleIds } from '../../../rules/index.js';
import { applyIgnores } from '../../../src/lint/ignores.js';

const RULE = 'invalid-ignore';
const FILE = 'migrations/versions/abc123_x.py';

function run(source: string, settings: Record<string, 'off' | 'warning' | 'error'> = {}) {
  return applyIgnores([], {
    sources: new Map([[FILE, source]]),
    configIgnores: [],
    revisionFiles: new Map([['abc123', FILE]]),
    settings,
    knownRules: knownRuleIds,
    invalidIgnoreRule,
  }).filter((p) => p.finding.rule === RULE);
}

const invalid: [string, string, number[], RegExp][] = [
  ['no reason', `op.drop_table("t")  # migration-guard: ignore drop-table\n`, [1], /has no reason/],
  ['empty reason', `# migration-guard: ignore drop-table --   \nop.drop_table("t")\n`, [1], /has no reason/],
  [
    'unknown rule',
    `x = 1\n# migration-guard: ignore drop-tables -- typo\n`,
    [2],
    /unknown rule "drop-tables"/,
  ],
  ['no rule at all', `# migration-guard: ignore -- because\n`, [1], /names no rule/],
  [
    'unknown directive',
    `# migration-guard: skip drop-table -- x\n`,
    [1],
    /unknown migration-guard directive "skip"/,
  ],
  [
    'ignoring invalid-ignore itself',
    `# migration-guard: ignore invalid-ignore -- please\n`,
    [1],
    /cannot be ignored/,
  ],
];

const valid: [string, string][] = [
  ['well-formed', `op.drop_table("t")  # migration-guard: ignore drop-table -- empty since 2023\n`],
  ['two rules', `# migration-guard: ignore drop-table, rename-table -- legacy tables\nop.drop_table("t")\n`],
  ['text inside a string is not a comment', `msg = "# migration-guard: ignore nothing"\n`],
  ['ordinary comments', `# create the table\nop.create_table("t")\n`],
];

describe(RULE, () => {
  it.each(invalid)('flags: %s', (_name, source, lines, message) => {
    const found = run(source);
    expect(found.map((f) => f.finding.line)).toEqual(lines);
    for (const f of found) {
      expect(f.finding.message).toMatch(message);
      expect(f.finding.file).toBe(FILE);
      expect(f.revision).toBe('abc123');
      expect(f.finding.severity).toBe('warning');
    }
  });

  it.each(valid)('accepts: %s', (_name, source) => {
    expect(run(source)).toEqual([]);
  });

  it('follows the configured severity', () => {
    expect(run(`# migration-guard: ignore drop-table\n`, { [RULE]: 'error' })[0]?.finding.severity).toBe(
      'error',
    );
    expect(run(`# migration-guard: ignore drop-table\n`, { [RULE]: 'off' })).toEqual([]);
  });
});
