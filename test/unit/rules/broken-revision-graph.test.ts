import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/broken-revision-graph.js';
import type { FileProblem } from '../../../src/alembic/analyze.js';
import type { RevisionSpec } from '../../helpers/git-repo.js';
import { analysisOf, type FixtureRevision } from '../alembic/analysis-fixture.js';

const a: RevisionSpec = { id: 'a1', down: null, message: 'create_t_base' };
const b: RevisionSpec = { id: 'b2', down: 'a1', message: 'add_t_b' };
const noId = { path: 'migrations/versions/helpers.py', source: 'def helper():\n    pass\n' };
const noIdProblem: FileProblem = {
  relFile: noId.path,
  message: `${noId.path} declares no revision id: add revision = "<id>" (alembic refuses to load it)`,
  line: null,
  importError: false,
};

describe('broken-revision-graph', () => {
  it.each<[string, FixtureRevision[], FileProblem[], RegExp]>([
    ['unknown down_revision', [a, { ...b, down: 'zz' }], [], /down_revision "zz", which is no revision/],
    ['unknown depends_on', [a, { ...b, dependsOn: ['nope'] }], [], /depends_on "nope"/],
    ['a cycle', [{ ...a, down: 'b2' }, b], [], /a1 → b2 form a cycle/],
    [
      'duplicate ids',
      [a, b, { path: 'migrations/versions/b2_copy.py', source: "revision = 'b2'\ndown_revision = 'a1'\n" }],
      [],
      /revision id b2 is declared by 2 files/,
    ],
    ['a file without a revision id', [a, noId], [noIdProblem], /declares no revision id/],
  ])('flags %s', (_name, head, problems, message) => {
    const findings = rule.check({ analysis: analysisOf({ head, problems }), naming: null });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(message);
    expect(findings[0]?.file).toMatch(/^migrations\/versions\//);
  });

  it.each<[string, FixtureRevision[], FileProblem[]]>([
    ['a linear history', [a, b], []],
    [
      'branch labels as depends_on targets',
      [
        { ...a, branchLabels: ['core'] },
        { ...b, down: null, dependsOn: ['core'] },
      ],
      [],
    ],
    [
      'a merge',
      [a, b, { id: 'c3', down: 'a1', message: 'x' }, { id: 'm4', down: ['b2', 'c3'], message: 'merge' }],
      [],
    ],
    [
      'an unknown parent that may be a file Python could not import',
      [a, { ...b, down: 'c3' }],
      [{ relFile: 'migrations/versions/c3.py', message: 'ImportError: x', line: 1, importError: true }],
    ],
  ])('accepts %s', (_name, head, problems) => {
    expect(rule.check({ analysis: analysisOf({ head, problems }), naming: null })).toEqual([]);
  });
});
