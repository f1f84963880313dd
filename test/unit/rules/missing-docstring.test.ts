import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/missing-docstring.js';
import type { RevisionSpec } from '../../helpers/git-repo.js';
import { analysisOf, type FixtureRevision } from '../alembic/analysis-fixture.js';

const a: RevisionSpec = { id: 'a1', down: null, message: null };

describe('missing-docstring', () => {
  it.each<[string, FixtureRevision]>([
    ['no docstring', { id: 'b2', down: 'a1', message: null }],
    [
      'an empty docstring',
      { path: 'migrations/versions/b2.py', source: `""""""\nrevision = 'b2'\ndown_revision = 'a1'\n` },
    ],
    [
      'a string that is not first',
      {
        path: 'migrations/versions/b2.py',
        source: `import os\n"""late"""\nrevision = 'b2'\ndown_revision = 'a1'\n`,
      },
    ],
    [
      'a comment instead',
      { path: 'migrations/versions/b2.py', source: `# add things\nrevision = 'b2'\ndown_revision = 'a1'\n` },
    ],
  ])('flags %s', (_name, spec) => {
    const findings = rule.check({ analysis: analysisOf({ base: [a], head: [a, spec] }), naming: null });
    expect(findings).toEqual([expect.objectContaining({ revision: 'b2', line: 1 })]);
  });

  it.each<[string, FixtureRevision]>([
    ['the template docstring', { id: 'b2', down: 'a1', message: 'add users email' }],
    [
      'a single-quoted docstring after comments',
      {
        path: 'migrations/versions/b2.py',
        source: `# -*- coding: utf-8 -*-\n'add x'\nrevision = 'b2'\ndown_revision = 'a1'\n`,
      },
    ],
    [
      'a raw docstring',
      {
        path: 'migrations/versions/b2.py',
        source: `r"""add \\d things"""\nrevision = 'b2'\ndown_revision = 'a1'\n`,
      },
    ],
  ])('accepts %s', (_name, spec) => {
    expect(rule.check({ analysis: analysisOf({ base: [a], head: [a, spec] }), naming: null })).toEqual([]);
  });

  it('ignores revisions already on the base', () => {
    expect(rule.check({ analysis: analysisOf({ base: [a], head: [a] }), naming: null })).toEqual([]);
  });
});
