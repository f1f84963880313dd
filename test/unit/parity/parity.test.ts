/**
 * The README's parity table (squawk, strong_migrations, and what only migration-guard checks)
 * stays in step with the rule catalogue: every rule it names exists, every rule of the
 * catalogue is named, and every squawk rule / strong_migrations check row says which rule
 * covers it or why none does. A new rule needs a row (or a place in a row) there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownRuleIds } from '../../../rules/index.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const section = /<!-- parity:start -->\n([\s\S]*?)\n<!-- parity:end -->/.exec(readme)?.[1] ?? '';

interface Row {
  table: string;
  cells: string[];
}

function rows(): Row[] {
  const out: Row[] = [];
  let table = '';
  for (const line of section.split('\n')) {
    const heading = /^### (.+)$/.exec(line);
    if (heading) table = heading[1] ?? '';
    if (!line.startsWith('| ') || line.startsWith('| ---')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    // Skip each table's header row.
    if (['squawk rule', 'strong_migrations check', 'migration-guard'].includes(cells[0] ?? '')) continue;
    out.push({ table, cells });
  }
  return out;
}

/** Rule ids linked as [`id`](rules/id.md) in a piece of the table. */
function linkedRules(text: string): string[] {
  return [...text.matchAll(/\[`([a-z0-9-]+)`\]\(rules\/([a-z0-9-]+)\.md\)/g)].map((m) => {
    expect(m[1], `link text and target agree: ${m[0]}`).toBe(m[2]);
    return m[1] as string;
  });
}

describe('README parity table', () => {
  it('has the three tables', () => {
    expect(section, 'README has the parity:start/end markers').not.toBe('');
    expect(new Set(rows().map((r) => r.table))).toEqual(
      new Set(['squawk', 'strong_migrations', 'What migration-guard checks that neither does']),
    );
  });

  it('names only rules of the catalogue', () => {
    const unknown = linkedRules(section).filter((id) => !knownRuleIds.includes(id));
    expect(unknown).toEqual([]);
  });

  it('names every rule of the catalogue (add a new rule to one of its tables)', () => {
    const named = new Set(linkedRules(section));
    expect(knownRuleIds.filter((id) => !named.has(id))).toEqual([]);
  });

  it('gives each squawk rule and strong_migrations check a covering rule or a reason', () => {
    const external = rows().filter((r) => r.table === 'squawk' || r.table === 'strong_migrations');
    expect(external.length).toBeGreaterThan(60);
    for (const { cells } of external) {
      const [check, covered, note] = cells;
      expect(check, JSON.stringify(cells)).toMatch(/\S/);
      const rules = linkedRules(covered ?? '');
      if (rules.length === 0) {
        expect(covered, `${check}: "—" when no rule covers it`).toBe('—');
        expect(note, `${check}: why no rule covers it`).toMatch(/compatibility|does not apply|not covered/);
      }
    }
  });

  it('lists each squawk rule once', () => {
    const names = rows()
      .filter((r) => r.table === 'squawk')
      .flatMap((r) => [...(r.cells[0] ?? '').matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(70);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
