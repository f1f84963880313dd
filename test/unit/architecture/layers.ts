/**
 * The allowed import direction of src/ and rules/ (docs/ARCHITECTURE.md "Layers"), as data,
 * and the checker that holds a set of import edges against it. A file may import files of its
 * own layer or of a layer below; the rule catalogue (rules/) reaches the tool only through the
 * rule api, and only the composition roots import the catalogue. No two files may import
 * each other, directly or around a loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Layer {
  name: string;
  /** Files (`src/model.ts`) or folders (`src/alembic/`); the longest match places a file. */
  paths: string[];
}

/** From the bottom up. */
export const LAYERS: readonly Layer[] = [
  {
    name: 'foundation',
    paths: [
      'src/model.ts',
      'src/errors.ts',
      'src/log.ts',
      'src/meta.ts',
      'src/esm-shim.ts',
      'src/node-compat.ts',
      'src/wasm-flags.ts',
      'src/secrets.ts',
      'src/scrub.ts',
      'src/lifecycle.ts',
      'src/python/',
      'src/terminal.ts',
      'src/sandbox/',
    ],
  },
  { name: 'config', paths: ['src/config.ts', 'src/options.ts', 'src/options/', 'src/help.ts'] },
  { name: 'alembic project', paths: ['src/alembic/'] },
  { name: 'database', paths: ['src/schema/', 'src/database/', 'src/driver/', 'src/seed/'] },
  { name: 'round trip', paths: ['src/roundtrip/'] },
  { name: 'rule engines', paths: ['src/lint/', 'src/sql/'] },
  { name: 'rule api', paths: ['src/lint/api.ts'] },
  { name: 'rule catalogue', paths: ['rules/'] },
  { name: 'report', paths: ['src/report/'] },
  { name: 'delivery', paths: ['src/exit.ts', 'src/github/'] },
  { name: 'pipeline', paths: ['src/check.ts', 'src/check/'] },
  { name: 'entries', paths: ['src/cli.ts', 'src/main.ts', 'src/action/', 'src/bundle.ts'] },
];

/** The only files that may import the rule catalogue: they hand the rules to the engines. */
export const COMPOSITION_ROOTS: readonly string[] = [
  'src/check.ts',
  'src/cli.ts',
  'src/main.ts',
  'src/action/',
];
/** The one module of the tool a rule may import. */
export const RULE_API = 'src/lint/api.ts';
export const CATALOGUE = 'rules/';

export interface Edge {
  from: string;
  to: string;
}

function covers(prefix: string, file: string): boolean {
  return prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix;
}

/** The layer index of a file (0 = bottom), or -1 when no layer names it. */
export function layerOf(file: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((layer, i) => {
    for (const p of layer.paths) {
      if (covers(p, file) && p.length > bestLength) {
        best = i;
        bestLength = p.length;
      }
    }
  });
  return best;
}

/** One line per edge that runs against the allowed direction; empty when all is well. */
export function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  const files = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (const f of [...files].sort()) {
    if (layerOf(f) < 0) out.push(`${f}: in no layer (add it to LAYERS and docs/ARCHITECTURE.md)`);
  }
  for (const { from, to } of uniqueEdges(edges)) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a < 0 || b < 0) continue;
    const edge = `${from} -> ${to}`;
    if (covers(CATALOGUE, from) && !covers(CATALOGUE, to) && to !== RULE_API) {
      out.push(`${edge}: a rule reaches the tool only through ${RULE_API}`);
    } else if (
      covers(CATALOGUE, to) &&
      !covers(CATALOGUE, from) &&
      !COMPOSITION_ROOTS.some((r) => covers(r, from))
    ) {
      out.push(`${edge}: only the composition roots import the rule catalogue; pass the rules in`);
    } else if (b > a) {
      out.push(`${edge}: ${LAYERS[a]?.name} may not import ${LAYERS[b]?.name} (a higher layer)`);
    }
  }
  for (const cycle of cycles(edges)) out.push(`cycle: ${cycle.join(' -> ')}`);
  return out;
}

function uniqueEdges(edges: readonly Edge[]): Edge[] {
  const seen = new Map<string, Edge>();
  for (const e of edges) seen.set(`${e.from} ${e.to}`, e);
  return [...seen.values()];
}

/** Every import loop, each as its files with the first repeated at the end. */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  // Tarjan's strongly connected components: a component of two files or more is a loop.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push([...component.sort(), component[0] as string]);
    }
  };
  for (const v of [...next.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return out;
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(root, rel));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

/** Every import of a file of src/ or rules/ by a file of src/ or rules/ (static, re-export, dynamic). */
export function importEdges(root: string): Edge[] {
  const edges: Edge[] = [];
  for (const from of [...sourceFiles(root, 'src'), ...sourceFiles(root, 'rules')].sort()) {
    const info = ts.preProcessFile(readFileSync(path.join(root, from), 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue; // a package
      const to = path.posix
        .normalize(path.posix.join(path.posix.dirname(from), fileName))
        .replace(/\.js$/, '.ts');
      if (to.startsWith('src/') || to.startsWith('rules/')) edges.push({ from, to });
    }
  }
  return edges;
}
