import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/multiple-heads.js';
import type { RevisionSpec } from '../../helpers/git-repo.js';
import { analysisOf } from '../alembic/analysis-fixture.js';

const a: RevisionSpec = { id: 'a1', down: null, message: 'create_t_base' };
const b: RevisionSpec = { id: 'b2', down: 'a1', message: 'add_t_b' };
const c: RevisionSpec = { id: 'c3', down: 'a1', message: 'add_t_c' };

describe('multiple-heads', () => {
  it.each([
    ['a new branch from an old revision', [a], [a, b, c], ['b2', 'c3']],
    ['two independent bases', [a], [a, { id: 'z9', down: null, message: 'create_z_base' }], ['a1', 'z9']],
    ['three heads', [a, b], [a, b, c, { id: 'd4', down: 'a1', message: 'add_t_d' }], ['b2', 'c3', 'd4']],
    ['base already split, still split', [a, b, c], [a, b, c], ['b2', 'c3']],
    [
      'a real split beside a chain cut off by a missing parent',
      [a],
      [a, b, c, { id: 'd4', down: 'zz99', message: 'add_t_d' }],
      ['b2', 'c3', 'd4'],
    ],
  ])('flags %s', (_name, base, head, heads) => {
    const findings = rule.check({ analysis: analysisOf({ base, head }), naming: null });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(heads.join(', '));
    expect(findings[0]?.message).toContain('alembic merge heads');
  });

  it.each([
    ['a linear addition', [a], [a, b]],
    [
      'a merge revision joining the branches',
      [a, b, c],
      [a, b, c, { id: 'm5', down: ['b2', 'c3'], message: 'merge_heads_x' }],
    ],
    [
      'depends_on does not create a head',
      [a],
      [a, b, { id: 'd4', down: 'b2', dependsOn: ['a1'], message: 'add_t_d' }],
    ],
    ['an empty history', [], []],
    // broken-revision-graph names the cause; a second finding for it would double count.
    ['a down_revision that names no revision', [a], [a, { id: 'b2', down: 'zz99', message: 'add_t_b' }]],
    [
      'a chain hanging off a missing revision',
      [a],
      [a, { id: 'b2', down: 'zz99', message: 'add_t_b' }, { id: 'c3', down: 'b2', message: 'add_t_c' }],
    ],
  ])('accepts %s', (_name, base, head) => {
    expect(rule.check({ analysis: analysisOf({ base, head }), naming: null })).toEqual([]);
  });

  it('points at the head the pull request adds', () => {
    const [f] = rule.check({ analysis: analysisOf({ base: [a, b], head: [a, b, c] }), naming: null });
    expect(f?.file).toBe('migrations/versions/c3_add_t_c.py');
    expect(f?.line).toBeGreaterThan(1);
  });
});
