/**
 * The YAML examples of the README are copied into real workflows: every ```yaml block must
 * parse, every step that uses the action may give only inputs action.yml declares (with a
 * value the input accepts, when it is a literal), and every `steps.<id>.outputs.<name>` /
 * `needs.<job>.outputs.<name>` it reads must exist.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};
const inputs = new Set(Object.keys(action.inputs));
const outputs = new Set(Object.keys(action.outputs));

/** Literal values the closed inputs accept (what src/github/inputs.ts and src/config.ts take). */
const ACCEPTED: Record<string, string[]> = {
  mode: ['check', 'discover', 'comment'],
  comment: ['always', 'on-failure', 'never'],
  'migration-role': ['restricted', 'superuser'],
  'fail-on': ['error', 'warning', 'never'],
  preset: ['recommended', 'strict'],
  all: ['true', 'false'],
  'only-changed': ['true', 'false'],
  'allow-untrusted': ['true', 'false'],
};

const blocks = [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => m[1]!);

type Node = Record<string, unknown>;

function isRecord(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every mapping anywhere in `v` (steps, jobs, the document). */
function mappings(v: unknown): Node[] {
  if (Array.isArray(v)) return v.flatMap(mappings);
  if (!isRecord(v)) return [];
  return [v, ...Object.values(v).flatMap(mappings)];
}

const usesAction = (step: Node) => typeof step.uses === 'string' && /(^|\/)migration-guard@/.test(step.uses);

/** What is wrong with one YAML example, one line each. */
function problemsOf(text: string): string[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return doc.errors.map((e) => `does not parse: ${e.message}`);
  const value: unknown = doc.toJS();
  const problems: string[] = [];
  const all = mappings(value);
  const actionSteps = all.filter(usesAction);
  for (const step of actionSteps) {
    const given = isRecord(step.with) ? step.with : {};
    for (const [name, v] of Object.entries(given)) {
      if (!inputs.has(name)) problems.push(`unknown input ${name}`);
      const literal = String(v);
      const accepted = ACCEPTED[name];
      if (accepted && !literal.includes('${{') && !accepted.includes(literal))
        problems.push(`input ${name}: ${literal} is not one of ${accepted.join(', ')}`);
    }
  }
  const actionIds = new Set(actionSteps.map((s) => s.id).filter((id) => typeof id === 'string'));
  for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    const [, id, name] = m as unknown as [string, string, string];
    if (actionIds.has(id) && !outputs.has(name)) problems.push(`unknown output ${name} of step ${id}`);
    if (!all.some((s) => s.id === id)) problems.push(`no step with id ${id}`);
  }
  const jobs = isRecord(value) && isRecord(value.jobs) ? value.jobs : {};
  for (const m of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    const [, job, name] = m as unknown as [string, string, string];
    const declared = isRecord(jobs[job]) && isRecord(jobs[job].outputs) ? jobs[job].outputs : {};
    if (!(name in declared)) problems.push(`job ${job} has no output ${name}`);
  }
  return problems;
}

describe('README YAML examples', () => {
  it('there are examples, and every one parses and uses only what action.yml declares', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const found = blocks.map((b, i) => ({ block: i + 1, first: b.split('\n')[0], problems: problemsOf(b) }));
    expect(found.filter((f) => f.problems.length > 0)).toEqual([]);
    const withAction = blocks.filter((b) => mappings(parse(b)).some(usesAction));
    expect(withAction.length).toBeGreaterThanOrEqual(5);
  });

  it('the discover → matrix → comment workflow wires the three modes together', () => {
    const matrix = blocks.find((b) => /mode: discover/.test(b));
    expect(matrix).toBeDefined();
    const wf = parse(matrix!) as { jobs: Record<string, Node> };
    const modes = mappings(wf)
      .filter(usesAction)
      .map((s) => (isRecord(s.with) ? (s.with.mode ?? 'check') : 'check'));
    expect(modes).toEqual(['discover', 'check', 'comment']);
    expect(JSON.stringify(wf.jobs.check!.strategy)).toContain('fromJSON(needs.discover.outputs.matrix)');
    const comment = mappings(wf.jobs.comment).find(usesAction)!;
    expect(comment.with).toMatchObject({ 'expected-projects': '${{ needs.discover.outputs.matrix }}' });
  });

  it('the SARIF example uploads with security-events: write and one category per project', () => {
    const sarif = blocks.find((b) => b.includes('github/codeql-action/upload-sarif'));
    expect(sarif).toBeDefined();
    const wf = parse(sarif!) as Node;
    expect(wf.permissions).toMatchObject({ 'security-events': 'write' });
    const guard = mappings(wf).find(usesAction)!;
    const upload = mappings(wf).find((s) => String(s.uses).startsWith('github/codeql-action/upload-sarif'))!;
    expect((upload.with as Node).sarif_file).toBe((guard.with as Node)['sarif-file']);
    expect((upload.with as Node).category).toMatch(/\S/);
  });

  it('the checks are not vacuous: a wrong input, value, output or job output is reported', () => {
    const bad = [
      'jobs:',
      '  a:',
      '    outputs: { matrix: x }',
      '    steps:',
      '      - id: g',
      '        uses: someone/migration-guard@v1',
      '        with: { fial-on: error, mode: audit, comment: "${{ inputs.c }}" }',
      '      - run: echo ${{ steps.g.outputs.report-pth }} ${{ steps.nope.outputs.x }}',
      '  b:',
      '    steps:',
      '      - run: echo ${{ needs.a.outputs.count }}',
    ].join('\n');
    expect(problemsOf(bad)).toEqual([
      'unknown input fial-on',
      'input mode: audit is not one of check, discover, comment',
      'unknown output report-pth of step g',
      'no step with id nope',
      'job a has no output count',
    ]);
    expect(problemsOf('a: [b')[0]).toMatch(/^does not parse/);
  });
});
