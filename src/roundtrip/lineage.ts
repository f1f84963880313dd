/** Where a downgrade must stop so that it removes exactly one revision, on its own branch. */

/** Parents of a revision, as the graph (or the driver, for revisions the graph lacks) knows them. */
export type ParentsOf = (id: string) => string[];

/** Downgrade target that removes exactly `id`: `<id>@<parent>` limits alembic to id's branch. */
export function downgradeTarget(id: string, parentsOf: ParentsOf): string {
  const parents = parentsOf(id);
  if (parents.length === 0) return `${id}@base`;
  // At a merge, pick a parent that is not an ancestor of another parent (else alembic would
  // also remove the revisions between them).
  const chosen =
    parents.find((p) => !parents.some((q) => q !== p && isAncestor(p, q, parentsOf))) ?? parents[0];
  return `${id}@${chosen}`;
}

export function isAncestor(candidate: string, of: string, parentsOf: ParentsOf): boolean {
  const seen = new Set<string>();
  const stack = [...parentsOf(of)];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (next === candidate) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...parentsOf(next));
  }
  return false;
}

export function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
