/**
 * The revision graph as alembic sees it: heads are revisions nobody lists in down_revision
 * (depends_on does not make a head), bases have no down_revision, merge points have several.
 * depends_on edges do count for ordering and ancestry (alembic upgrades dependencies first).
 */

export interface RevisionNode {
  id: string;
  downRevisions: string[];
  dependsOn: string[];
  branchLabels: string[];
  /** Path relative to the repository root. */
  relFile: string;
}

export interface UnknownParent {
  id: string;
  parent: string;
  kind: 'down_revision' | 'depends_on';
  relFile: string;
}

export interface DuplicateRevision {
  id: string;
  relFiles: string[];
}

export class RevisionGraph {
  /** By id; for a duplicate id the first file (in input order) wins, the others are in `duplicates`. */
  readonly revisions: ReadonlyMap<string, RevisionNode>;
  readonly heads: string[];
  readonly bases: string[];
  readonly mergePoints: string[];
  private readonly orderedIds: string[];
  /** Each cycle as the ids on it (a strongly connected component, sorted). */
  readonly cycles: string[][];
  readonly unknownParents: UnknownParent[];
  readonly duplicates: DuplicateRevision[];
  private readonly parentsOf = new Map<string, string[]>();
  private readonly ancestorCache = new Map<string, ReadonlySet<string>>();

  constructor(nodes: Iterable<RevisionNode>) {
    const revisions = new Map<string, RevisionNode>();
    const dupFiles = new Map<string, string[]>();
    for (const n of nodes) {
      const existing = revisions.get(n.id);
      if (existing) {
        const files = dupFiles.get(n.id) ?? [existing.relFile];
        files.push(n.relFile);
        dupFiles.set(n.id, files);
        continue;
      }
      revisions.set(n.id, n);
    }
    this.revisions = revisions;
    this.duplicates = [...dupFiles].map(([id, relFiles]) => ({ id, relFiles })).sort(byId);

    const labels = new Map<string, string>();
    for (const n of revisions.values()) for (const l of n.branchLabels) labels.set(l, n.id);
    this.unknownParents = [];
    const listedAsDown = new Set<string>();
    for (const n of revisions.values()) {
      const parents: string[] = [];
      for (const d of n.downRevisions) {
        listedAsDown.add(d);
        if (revisions.has(d)) parents.push(d);
        else this.unknownParents.push({ id: n.id, parent: d, kind: 'down_revision', relFile: n.relFile });
      }
      for (const dep of n.dependsOn) {
        // depends_on may name a revision or a branch label.
        const target = revisions.has(dep) ? dep : labels.get(dep);
        if (target !== undefined) parents.push(target);
        else this.unknownParents.push({ id: n.id, parent: dep, kind: 'depends_on', relFile: n.relFile });
      }
      this.parentsOf.set(n.id, [...new Set(parents)]);
    }
    const ids = [...revisions.keys()].sort();
    this.heads = ids.filter((id) => !listedAsDown.has(id));
    this.bases = ids.filter((id) => (revisions.get(id)?.downRevisions.length ?? 0) === 0);
    this.mergePoints = ids.filter((id) => (revisions.get(id)?.downRevisions.length ?? 0) > 1);
    const { order, cycles } = this.order(ids);
    this.orderedIds = order;
    this.cycles = cycles;
  }

  /** Parents (down_revision and depends_on) before children; ties broken by id. Cycles left out. */
  topologicalOrder(): string[] {
    return [...this.orderedIds];
  }

  /** Direct parents: known down_revisions and depends_on targets. */
  parents(id: string): readonly string[] {
    return this.parentsOf.get(id) ?? [];
  }

  /** Every revision `id` needs (down_revision and depends_on, transitively), without `id` itself. */
  ancestors(id: string): ReadonlySet<string> {
    const cached = this.ancestorCache.get(id);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...this.parents(id)];
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (seen.has(cur)) continue;
      seen.add(cur);
      stack.push(...this.parents(cur));
    }
    seen.delete(id);
    this.ancestorCache.set(id, seen);
    return seen;
  }

  /** `ids` and all their ancestors. */
  reachableFrom(ids: Iterable<string>): Set<string> {
    const out = new Set<string>();
    const stack = [...ids].filter((id) => this.revisions.has(id));
    while (stack.length > 0) {
      const cur = stack.pop() as string;
      if (out.has(cur)) continue;
      out.add(cur);
      stack.push(...this.parents(cur));
    }
    return out;
  }

  /** Kahn's algorithm with an id-sorted ready list (deterministic); what is left is cyclic. */
  private order(ids: string[]): { order: string[]; cycles: string[][] } {
    const indegree = new Map<string, number>();
    const children = new Map<string, string[]>();
    for (const id of ids) {
      indegree.set(id, this.parents(id).length);
      for (const p of this.parents(id)) {
        const list = children.get(p) ?? [];
        list.push(id);
        children.set(p, list);
      }
    }
    const ready = ids.filter((id) => indegree.get(id) === 0);
    const order: string[] = [];
    while (ready.length > 0) {
      const id = ready.shift() as string;
      order.push(id);
      for (const c of children.get(id) ?? []) {
        const d = (indegree.get(c) ?? 0) - 1;
        indegree.set(c, d);
        if (d === 0) insertSorted(ready, c);
      }
    }
    const placed = new Set(order);
    const left = new Set(ids.filter((id) => !placed.has(id)));
    return { order, cycles: left.size > 0 ? this.stronglyConnected(left) : [] };
  }

  /** Tarjan's SCCs among `nodes`, keeping the real cycles (size > 1 or a self-loop). */
  private stronglyConnected(nodes: Set<string>): string[][] {
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const out: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      onStack.add(v);
      for (const w of this.parents(v)) {
        if (!nodes.has(w)) continue;
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
        }
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1 || this.parents(v).includes(v)) out.push(scc.sort());
      }
    };
    for (const v of [...nodes].sort()) if (!idx.has(v)) visit(v);
    return out.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
  }
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function insertSorted(list: string[], value: string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}
