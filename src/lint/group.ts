/**
 * One cause, one finding (issue #14). A rule declares in `meta.explains` which other rules'
 * findings on the same revision are consequences of its own (an empty downgrade explains the
 * trace it leaves and the re-upgrade that then fails). The consequence is attached to its root
 * as `related` instead of being reported on its own, so counts, exit codes, annotations and SARIF
 * see the cause once. A root takes the highest severity of what it explains: a revision that
 * cannot be rolled back stays an error whatever rule names the cause.
 *
 * A cause and a consequence that both name a statement must name the same one: a static rule's
 * finding on `ALTER TABLE … ADD COLUMN … NOT NULL` explains the data failure of that statement
 * (which then hangs under it as the observed evidence, example row and error), not a failure of
 * another statement of the same revision. A rule that narrows by the objects both findings name
 * (`explainsConsequence`) decides alone: its consequence may come from another statement (the
 * deployed release's SELECT of the table a DROP TABLE removed).
 *
 * Ignored findings take no part: an ignored cause does not hide the consequences it did not
 * ignore, and an ignored consequence stays where its ignore comment put it.
 */
import type { Finding, RelatedFinding } from '../model.js';
import type { PlacedFinding } from './run.js';
import type { Consequence, RuleMeta } from './types.js';

export interface CauseRule {
  meta: RuleMeta;
  explainsConsequence?(consequence: Consequence): boolean;
}

export function groupByCause(findings: PlacedFinding[], rules: ReadonlyArray<CauseRule>): PlacedFinding[] {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const explains = (cause: PlacedFinding, effect: PlacedFinding): boolean => {
    if (cause === effect || cause.revision === null || cause.revision !== effect.revision) return false;
    if (cause.finding.ignored || effect.finding.ignored) return false;
    const rule = byId.get(cause.finding.rule);
    if (!rule?.meta.explains?.includes(effect.finding.rule)) return false;
    const narrow = rule.explainsConsequence;
    // A rule that narrows by the objects both findings name has said which consequence is its
    // own (the deployed release's failing SELECT on the table a DROP TABLE removed: two
    // different statements, one cause); otherwise the statements must match.
    if (!narrow && !sameStatement(cause.finding.statement, effect.finding.statement)) return false;
    const consequence = {
      rule: effect.finding.rule,
      subjects: effect.subjects ?? [],
      causeSubjects: cause.subjects ?? [],
    };
    return narrow ? narrow.call(rule, consequence) : true;
  };

  // Each finding's direct cause: the first finding (in input order) that explains it.
  const causeOf = new Map<PlacedFinding, PlacedFinding>();
  for (const effect of findings) {
    const cause = findings.find((c) => explains(c, effect));
    if (cause) causeOf.set(effect, cause);
  }
  // Follow causes to the root; `explains` declarations form chains (empty downgrade → trace →
  // failed re-upgrade), never cycles, but a guard keeps a bad declaration from looping.
  const rootOf = (p: PlacedFinding): PlacedFinding => {
    let at = p;
    const seen = new Set<PlacedFinding>([at]);
    for (let next = causeOf.get(at); next !== undefined && !seen.has(next); next = causeOf.get(at)) {
      seen.add(next);
      at = next;
    }
    return at;
  };

  const related = new Map<PlacedFinding, PlacedFinding[]>();
  for (const p of findings) {
    const root = rootOf(p);
    if (root === p) continue;
    related.set(root, [...(related.get(root) ?? []), p]);
  }
  const out: PlacedFinding[] = [];
  for (const p of findings) {
    if (rootOf(p) !== p) continue;
    const effects = related.get(p);
    if (!effects) {
      out.push(p);
      continue;
    }
    // In the order the cause lists them (the order they happen: downgrade, then re-upgrade).
    const order = byId.get(p.finding.rule)?.meta.explains ?? [];
    const rank = (e: PlacedFinding) => {
      const i = order.indexOf(e.finding.rule);
      return i < 0 ? order.length : i;
    };
    const sorted = [...effects].sort((a, b) => rank(a) - rank(b));
    out.push({
      ...p,
      finding: withRelated(
        p.finding,
        sorted.map((e) => e.finding),
      ),
    });
  }
  return out;
}

/** True unless both name a statement and neither contains the other (one string may hold several). */
function sameStatement(cause: string | null, effect: string | null): boolean {
  if (cause === null || effect === null) return true;
  const a = normalizeSql(cause);
  const b = normalizeSql(effect);
  return a === b || a.includes(b) || b.includes(a);
}

function normalizeSql(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/\s*;\s*$/, '')
    .trim()
    .toLowerCase();
}

function withRelated(root: Finding, effects: Finding[]): Finding {
  const list: RelatedFinding[] = [...(root.related ?? [])];
  for (const e of effects) {
    list.push({
      rule: e.rule,
      severity: e.severity,
      message: e.message,
      docsUrl: e.docsUrl,
      file: e.file,
      line: e.line,
      statement: e.statement,
    });
    list.push(...(e.related ?? []));
  }
  const severity =
    root.severity === 'error' || list.some((r) => r.severity === 'error') ? 'error' : 'warning';
  return { ...root, severity, related: list };
}
