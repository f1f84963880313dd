import { describe, expect, it } from 'vitest';
import { RevisionGraph, type RevisionNode } from '../../../src/alembic/graph.js';

const node = (id: string, down: string[] = [], extra: Partial<RevisionNode> = {}): RevisionNode => ({
  id,
  downRevisions: down,
  dependsOn: [],
  branchLabels: [],
  relFile: `versions/${id}.py`,
  ...extra,
});

describe('RevisionGraph', () => {
  it('linear history: one base, one head, parents first', () => {
    const g = new RevisionGraph([node('c', ['b']), node('a'), node('b', ['a'])]);
    expect(g.heads).toEqual(['c']);
    expect(g.bases).toEqual(['a']);
    expect(g.topologicalOrder()).toEqual(['a', 'b', 'c']);
    expect([...g.ancestors('c')].sort()).toEqual(['a', 'b']);
    expect(g.cycles).toEqual([]);
  });

  it('branch and merge: two heads before the merge, one after, merge point recorded', () => {
    const branches = [node('a'), node('b1', ['a']), node('b2', ['a'])];
    expect(new RevisionGraph(branches).heads).toEqual(['b1', 'b2']);
    const merged = new RevisionGraph([...branches, node('m', ['b1', 'b2'])]);
    expect(merged.heads).toEqual(['m']);
    expect(merged.mergePoints).toEqual(['m']);
    expect(merged.topologicalOrder()).toEqual(['a', 'b1', 'b2', 'm']);
  });

  it('depends_on orders revisions but does not make heads', () => {
    const g = new RevisionGraph([
      node('x2', ['x1'], { dependsOn: ['y1'] }),
      node('x1'),
      node('y1', [], { branchLabels: ['other'] }),
      node('z', [], { dependsOn: ['other'] }),
    ]);
    expect(g.heads).toEqual(['x2', 'y1', 'z']);
    const order = g.topologicalOrder();
    expect(order.indexOf('y1')).toBeLessThan(order.indexOf('x2'));
    expect(order.indexOf('y1')).toBeLessThan(order.indexOf('z'));
    expect(g.ancestors('x2').has('y1')).toBe(true);
  });

  it('reports unknown parents, duplicates and cycles', () => {
    const g = new RevisionGraph([
      node('a'),
      node('b', ['missing']),
      node('a', [], { relFile: 'versions/a_copy.py' }),
      node('c1', ['c2']),
      node('c2', ['c1']),
    ]);
    expect(g.unknownParents).toEqual([
      { id: 'b', parent: 'missing', kind: 'down_revision', relFile: 'versions/b.py' },
    ]);
    expect(g.duplicates).toEqual([{ id: 'a', relFiles: ['versions/a.py', 'versions/a_copy.py'] }]);
    expect(g.cycles).toEqual([['c1', 'c2']]);
    expect(g.topologicalOrder()).not.toContain('c1');
  });

  it('orders deterministically whatever the input order', () => {
    const nodes = [node('a'), node('d', ['a']), node('c', ['a']), node('b', ['c', 'd'])];
    const one = new RevisionGraph(nodes).topologicalOrder();
    const two = new RevisionGraph([...nodes].reverse()).topologicalOrder();
    expect(one).toEqual(two);
    expect(one).toEqual(['a', 'c', 'd', 'b']);
  });

  it('handles a 2 000-revision chain without recursion limits', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => node(`r${i}`, i === 0 ? [] : [`r${i - 1}`]));
    const g = new RevisionGraph(nodes);
    expect(g.heads).toEqual(['r1999']);
    expect(g.reachableFrom(['r1999']).size).toBe(2000);
    expect(g.topologicalOrder()[1999]).toBe('r1999');
  });
});
