/**
 * Imports flow one way (docs/ARCHITECTURE.md "Layers"): this reads every import of src/ and
 * rules/ and fails on any edge against the allowed direction. The second block feeds the
 * checker each edge that once broke the layering, so a checker that lets one through fails.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Edge } from './layers.js';
import { cycles, importEdges, layerOf, LAYERS, violations } from './layers.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const edges = importEdges(root);

describe('import direction of src/ and rules/', () => {
  it('reads static imports, re-exports and type imports', () => {
    const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    expect(has('src/lint/api.ts', 'src/sql/rule-helpers.ts')).toBe(true); // export * from
    expect(has('src/check.ts', 'rules/index.ts')).toBe(true);
    expect(has('rules/drop-table.ts', 'src/lint/api.ts')).toBe(true);
    expect(edges.length).toBeGreaterThan(200);
  });

  it('places every file of src/ and rules/ in a layer', () => {
    const files = new Set(edges.flatMap((e) => [e.from, e.to]));
    expect([...files].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('has no edge against the allowed direction and no loop', () => {
    expect(violations(edges)).toEqual([]);
  });

  // Within the rule-engine layer the engines (src/lint/) use the SQL context (src/sql/), never
  // the other way round, so the two folders do not depend on each other.
  it('src/sql/ imports nothing of src/lint/', () => {
    expect(edges.filter((e) => e.from.startsWith('src/sql/') && e.to.startsWith('src/lint/'))).toEqual([]);
  });
});

describe('the checker rejects each edge that broke the layering', () => {
  const bad: Array<[string, Edge[], RegExp]> = [
    [
      'the SQL lint engine imports the catalogue',
      [{ from: 'src/lint/sql.ts', to: 'rules/registry/sql.ts' }],
      /composition roots/,
    ],
    [
      'the ignore engine imports the catalogue',
      [{ from: 'src/lint/ignores.ts', to: 'rules/index.ts' }],
      /composition roots/,
    ],
    [
      'the ignore engine imports a registry',
      [{ from: 'src/lint/ignores.ts', to: 'rules/registry/sql.ts' }],
      /composition roots/,
    ],
    [
      'the renderer imports the catalogue',
      [{ from: 'src/report/render.ts', to: 'rules/index.ts' }],
      /composition roots/,
    ],
    [
      'a rule imports an engine helper',
      [{ from: 'rules/drop-table.ts', to: 'src/sql/rule-helpers.ts' }],
      /only through src\/lint\/api\.ts/,
    ],
    [
      'a rule imports a context module',
      [{ from: 'rules/multiple-heads.ts', to: 'src/alembic/rule-context.ts' }],
      /only through/,
    ],
    [
      'a rule imports the configuration',
      [{ from: 'rules/revision-message-convention.ts', to: 'src/config.ts' }],
      /only through/,
    ],
    [
      'the driver takes its lock type from the report',
      [{ from: 'src/driver/client.ts', to: 'src/report/model.ts' }],
      /database may not import report/,
    ],
    [
      'the round trip builds on the report step',
      [{ from: 'src/roundtrip/run.ts', to: 'src/report/model.ts' }],
      /round trip may not import report/,
    ],
    [
      'the SQL context takes statements from the report',
      [{ from: 'src/sql/rule-context.ts', to: 'src/report/model.ts' }],
      /rule engines may not import report/,
    ],
    [
      'a reporter imports the exit policy',
      [{ from: 'src/report/markdown.ts', to: 'src/exit.ts' }],
      /report may not import delivery/,
    ],
    [
      'configuration imports the rule engine',
      [{ from: 'src/config.ts', to: 'src/lint/types.ts' }],
      /config may not import rule engines/,
    ],
    [
      'the shared model imports anything above it',
      [{ from: 'src/model.ts', to: 'src/report/model.ts' }],
      /foundation may not import report/,
    ],
    [
      'local server and template cache import each other',
      [
        { from: 'src/database/local.ts', to: 'src/database/template.ts' },
        { from: 'src/database/template.ts', to: 'src/database/local.ts' },
      ],
      /^cycle: src\/database\/local\.ts -> src\/database\/template\.ts -> src\/database\/local\.ts$/,
    ],
    [
      'a file in no layer',
      [{ from: 'src/new-thing.ts', to: 'src/model.ts' }],
      /src\/new-thing\.ts: in no layer/,
    ],
  ];
  it.each(bad)('%s', (_name, badEdges, message) => {
    const found = violations(badEdges);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
    // Added to the real tree, the edge is caught too (an upward edge may also close a loop).
    expect(violations([...edges, ...badEdges])).toContain(found[0]);
  });

  it('finds a loop around three files', () => {
    expect(
      cycles([
        { from: 'src/a.ts', to: 'src/b.ts' },
        { from: 'src/b.ts', to: 'src/c.ts' },
        { from: 'src/c.ts', to: 'src/a.ts' },
        { from: 'src/c.ts', to: 'src/d.ts' },
      ]),
    ).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts']]);
  });

  it('lets the composition roots import the catalogue and a layer import the one below', () => {
    expect(
      violations([
        { from: 'src/check.ts', to: 'rules/index.ts' },
        { from: 'src/cli.ts', to: 'rules/index.ts' },
        { from: 'rules/registry/sql.ts', to: 'rules/drop-table.ts' },
        { from: 'rules/drop-table.ts', to: 'src/lint/api.ts' },
        { from: 'src/lint/api.ts', to: 'src/sql/rule-helpers.ts' },
        { from: 'src/report/markdown.ts', to: 'src/report/model.ts' },
        { from: 'src/report/model.ts', to: 'src/model.ts' },
      ]),
    ).toEqual([]);
    expect(LAYERS[0]?.paths).toContain('src/model.ts');
  });
});
