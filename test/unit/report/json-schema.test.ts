/**
 * schema/report.schema.json, the published JSON Schema of the report, against the report model
 * it is written from and the JSON the reporters write:
 * - every field of the model's interfaces is in the schema, required exactly when the model
 *   makes it required, and the schema has no field the model lacks; enums match the model's
 *   closed unions;
 * - the JSON of the report snapshots, the sample reports, a merged and a scrubbed report and an
 *   action report file validate;
 * - the schema is not vacuous: a report that uses every field validates, and changing the type
 *   of any one of its values, or adding an unknown field to any object, fails.
 * Real runs are validated where the e2e tests write their reports (test/helpers/report-schema.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRules } from '../../../rules/index.js';
import { mergeReports, withMissingProjects } from '../../../src/github/merge.js';
import type { ActionReport } from '../../../src/github/report-file.js';
import { readReportFile, writeReportFile } from '../../../src/github/report-file.js';
import type { ExecutedStatement } from '../../../src/report/model.js';
import { renderReport } from '../../../src/report/render.js';
import { scrubReport } from '../../../src/scrub.js';
import { assertValidReport, reportSchema, reportSchemaErrors } from '../../helpers/report-schema.js';
import {
  cleanReport,
  failingReport,
  finding,
  project,
  report,
  revision,
  step,
} from '../markdown/sample-report.js';

const root = path.resolve(import.meta.dirname, '../../..');
type SchemaNode = Record<string, unknown>;
const defs = reportSchema.$defs as Record<string, SchemaNode>;

/** The node a `$ref` points at, or the node itself. */
function deref(node: SchemaNode): SchemaNode {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const name = ref.replace('#/$defs/', '');
  const target = defs[name];
  if (!target) throw new Error(`dangling $ref ${ref}`);
  return deref(target);
}

/** The non-null branch of a `oneOf` with null (a nullable object or enum), dereferenced. */
function valueBranch(node: SchemaNode): SchemaNode {
  const n = deref(node);
  const oneOf = n.oneOf as SchemaNode[] | undefined;
  if (!oneOf) return n;
  const branches = oneOf.map(deref).filter((b) => b.type !== 'null');
  expect(branches).toHaveLength(1);
  return branches[0]!;
}

function propertiesOf(node: SchemaNode): Record<string, SchemaNode> {
  return (node.properties ?? {}) as Record<string, SchemaNode>;
}

// ---- the model, read from its TypeScript source --------------------------------------------

const declarations = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
for (const file of [
  'src/model.ts',
  'src/report/model.ts',
  'src/github/report-file.ts',
  'src/database/types.ts',
]) {
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
  );
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node))
      declarations.set(node.name.text, node);
  });
}

function membersOf(name: string): ts.NodeArray<ts.TypeElement> {
  const d = declarations.get(name);
  if (!d || !ts.isInterfaceDeclaration(d)) throw new Error(`no interface ${name} in the model`);
  return d.members;
}

function memberName(m: ts.TypeElement): string {
  if (!m.name || !ts.isIdentifier(m.name)) throw new Error('a model member without a plain name');
  return m.name.text;
}

/** The string literals of a closed union (`'a' | 'b'`, or an alias of one); [] otherwise. */
function literalsOf(type: ts.TypeNode | undefined): string[] {
  if (!type) return [];
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    const alias = declarations.get(type.typeName.text);
    return alias && ts.isTypeAliasDeclaration(alias) ? literalsOf(alias.type) : [];
  }
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return [type.literal.text];
  if (ts.isUnionTypeNode(type)) return type.types.flatMap(literalsOf);
  return [];
}

/** The string literals of the type alias `name`. */
function aliasLiterals(name: string): string[] {
  const d = declarations.get(name);
  if (!d || !ts.isTypeAliasDeclaration(d)) throw new Error(`no type alias ${name} in the model`);
  return literalsOf(d.type);
}

/** The inline object type of a member (`{ … }` or `{ … } | null`), if it has one. */
function typeLiteralOf(type: ts.TypeNode | undefined): ts.TypeLiteralNode | null {
  if (!type) return null;
  if (ts.isTypeLiteralNode(type)) return type;
  if (ts.isUnionTypeNode(type)) return type.types.map(typeLiteralOf).find((t) => t !== null) ?? null;
  return null;
}

/** Compares one model object type with one schema object node, and recurses into inline types. */
function expectSameFields(
  members: ts.NodeArray<ts.TypeElement>,
  node: SchemaNode,
  where: string,
  extra: string[] = [],
): void {
  const properties = propertiesOf(node);
  const names = members.map(memberName);
  expect(Object.keys(properties).sort(), `${where}: fields`).toEqual([...names, ...extra].sort());
  const required = members.filter((m) => !m.questionToken).map(memberName);
  expect([...((node.required as string[] | undefined) ?? [])].sort(), `${where}: required`).toEqual(
    required.sort(),
  );
  expect(node.additionalProperties, `${where} is closed`).toBe(false);
  for (const m of members) {
    const type = ts.isPropertySignature(m) ? m.type : undefined;
    const prop = properties[memberName(m)]!;
    const literals = literalsOf(type);
    if (literals.length > 0) {
      expect([...(valueBranch(prop).enum as string[])].sort(), `${where}.${memberName(m)}: enum`).toEqual(
        literals.sort(),
      );
    }
    const literal = typeLiteralOf(type);
    if (literal) expectSameFields(literal.members, valueBranch(prop), `${where}.${memberName(m)}`);
  }
}

describe('schema/report.schema.json and the report model', () => {
  const revisionData = propertiesOf(defs.revision!).data!;
  const lock = (propertiesOf(defs.statement!).locks!.items ?? {}) as SchemaNode;
  const cases: Array<[string, SchemaNode, string[]?]> = [
    ['Report', reportSchema, ['github']], // `github`: the action's report file (ActionReport)
    ['ReportSummary', defs.summary!],
    ['ProjectReport', defs.project!],
    ['SeedReport', defs.seed!],
    ['RevisionReport', defs.revision!],
    ['RevisionDataReport', revisionData],
    ['StepResult', defs.step!],
    ['ExecutedStatement', defs.statement!],
    ['LockInfo', lock],
    ['ObservedEffects', defs.observed!],
    ['Finding', defs.finding!],
    ['RelatedFinding', defs.relatedFinding!],
    ['GitHubContextBlock', defs.github!],
  ];
  for (const [name, node, extra] of cases) {
    it(`${name}: the same fields, the same required ones, the same enums`, () => {
      expectSameFields(membersOf(name), node, name, extra);
    });
  }

  it('the closed sets are enums: severity, phase, fail-on, database provider', () => {
    expect(defs.severity!.enum).toEqual(aliasLiterals('Severity'));
    expect(defs.phase!.enum).toEqual(aliasLiterals('Phase'));
    expect(propertiesOf(defs.github!).failOn!.enum).toEqual(aliasLiterals('FailOn'));
    const database = valueBranch(propertiesOf(defs.project!).database!);
    expect([...(propertiesOf(database).provider!.enum as string[])].sort()).toEqual(
      aliasLiterals('DatabaseProvider').sort(),
    );
  });

  it('rule ids are a pattern every rule of the catalogue matches (new rules need no new schema)', () => {
    const pattern = new RegExp(defs.ruleId!.pattern as string);
    expect(allRules.length).toBeGreaterThan(40);
    for (const rule of allRules) expect(rule.meta.id).toMatch(pattern);
    expect(defs.ruleId!.enum).toBeUndefined();
    for (const bad of ['Require-Index', 'require_index', '-index', 'index-', '']) {
      expect(bad).not.toMatch(pattern);
    }
  });
});

// ---- the JSON the reporters write ----------------------------------------------------------

/** A report that sets every field the schema knows, as a real populated run would. */
function fullReport(): ActionReport {
  const observed: ExecutedStatement = {
    sql: 'ALTER TABLE orders ALTER COLUMN total TYPE bigint',
    line: 18,
    durationMs: 4.125,
    locks: [{ relation: 'orders', mode: 'AccessExclusiveLock' }],
    inTransaction: true,
    bookkeeping: false,
    revision: 'b2',
    error: null,
    lockTimeoutMs: 0,
    statementTimeoutMs: 60_000,
    inTransactionBefore: true,
    observed: {
      rewrote: ['orders', 'orders_pkey'],
      scanned: ['orders'],
      rowsRead: { orders: 300 },
      bytes: { orders: 24_576 },
      locked: ['orders'],
      lockMs: { orders: 4.5 },
      estimatedLockMs: { orders: 660_000 },
      estimateBasis: ['rewrote orders (300 rows) in 4 ms; 48,000,000 rows ≈ 11 min'],
    },
  };
  const downgrade = {
    ...step('downgrade', false, ['ALTER TABLE orders ALTER COLUMN total TYPE integer']),
    schemaDiff: ['column orders.total: bigint → integer'],
    errorLine: 24,
    failedStatement: 'ALTER TABLE orders ALTER COLUMN total TYPE integer',
    errorDetail: 'Failing row contains (1, 3000000000).',
    errorRevision: 'b2',
  };
  const b2 = revision('b2', {
    downRevisions: ['a1'],
    steps: [{ ...step('upgrade'), statements: [observed] }, downgrade],
    schemaRestored: null,
    findings: [
      finding({
        rule: 'downgrade-fails-with-data',
        file: 'migrations/versions/b2_change.py',
        line: 24,
        statement: downgrade.failedStatement,
        related: [
          {
            rule: 'reupgrade-failed',
            severity: 'error',
            message: 'the re-upgrade did not run',
            docsUrl: 'https://github.com/acme/migration-guard/blob/v1/rules/reupgrade-failed.md',
            file: 'migrations/versions/b2_change.py',
            line: null,
            statement: null,
          },
        ],
      }),
      finding({
        rule: 'observed-table-rewrite',
        severity: 'warning',
        ignored: true,
        ignoreReason: 'tiny table',
      }),
    ],
    data: { verdict: 'downgrade-fails', rows: { orders: 300 }, succeedsOnEmpty: true },
    dataNote: 'the round trip ran on 300 synthetic rows per table',
  });
  const c3 = revision('c3', {
    downRevisions: ['b2'],
    steps: [],
    schemaRestored: null,
    notChecked: 'its parent b2 failed',
    roundTripSkipped: null,
  });
  const d4 = revision('d4', {
    downRevisions: ['c3'],
    steps: [step('upgrade', true, ['DROP TABLE audit'])],
    schemaRestored: null,
    roundTripSkipped: 'downgrade() raises NotImplementedError: audit rows cannot be restored',
    // After b2 failed the database was rebuilt: d4 ran on rows seeded afresh.
    data: { verdict: 'not-run', rows: { orders: 300 }, reseededAfter: 'b2' },
  });
  const full = project([b2, c3, d4], {
    mode: 'full',
    database: { provider: 'local', serverVersion: '16.4', migrationRole: 'restricted' },
    timings: { staticMs: 12, roundTripMs: 900, 'roundTrip.driverStart': 210, lintMs: 30 },
    seed: {
      rowsPerTable: 300,
      randomSeed: 1,
      tables: { orders: 300, users: 300 },
      unfilled: { audit: 'no INSERT privilege' },
      userSql: { file: 'seed.sql', ok: false, error: 'relation "x" does not exist' },
    },
    findings: [finding({ rule: 'multiple-heads', severity: 'warning' })],
    notes: [
      "breaks-deployed-app: the base release's models were not run against the migrated schema: env.py failed on the base commit: ModuleNotFoundError: No module named 'stripe'",
    ],
  });
  return {
    ...report([full]),
    interrupted: { signal: 'SIGTERM', during: 'd4 upgrade', notChecked: ['alembic.ini: d4'] },
    sandbox: { kind: 'namespaces', uid: 65534, network: 'database-only' },
    github: {
      repository: 'acme/shop',
      pullRequest: 7,
      headSha: 'f'.repeat(40),
      failOn: 'error',
      runUrl: 'https://github.com/acme/shop/actions/runs/4242',
    },
  };
}

/** Every `<schema node>.<field>` the schema declares, reached from the root through $refs. */
function declaredFields(): Set<string> {
  const out = new Set<string>();
  const seen = new Set<SchemaNode>();
  const visit = (node: SchemaNode, id: string): void => {
    const ref = node.$ref;
    if (typeof ref === 'string') return visit(deref(node), ref);
    if (seen.has(node)) return;
    seen.add(node);
    for (const [key, child] of Object.entries(propertiesOf(node))) {
      out.add(`${id}.${key}`);
      visit(child, `${id}.${key}`);
    }
    for (const k of ['items', 'additionalProperties']) {
      const child = node[k];
      if (child && typeof child === 'object') visit(child as SchemaNode, `${id}[]`);
    }
    for (const child of (node.oneOf as SchemaNode[] | undefined) ?? []) visit(child, id);
  };
  visit(reportSchema, '#');
  return out;
}

/** Every `<schema node>.<field>` that `value` sets, walking it along the schema. */
function usedFields(value: unknown, node: SchemaNode, id: string, out: Set<string>): Set<string> {
  const ref = node.$ref;
  if (typeof ref === 'string') return usedFields(value, deref(node), ref, out);
  if (value === null || value === undefined) return out;
  const oneOf = node.oneOf as SchemaNode[] | undefined;
  if (oneOf) {
    const branch = oneOf.find((b) => deref(b).type !== 'null')!;
    return usedFields(value, branch, id, out);
  }
  if (Array.isArray(value)) {
    for (const v of value) usedFields(v, (node.items ?? {}) as SchemaNode, `${id}[]`, out);
  } else if (typeof value === 'object') {
    const properties = propertiesOf(node);
    for (const [k, v] of Object.entries(value)) {
      if (properties[k]) {
        out.add(`${id}.${k}`);
        usedFields(v, properties[k], `${id}.${k}`, out);
      } else if (typeof node.additionalProperties === 'object') {
        usedFields(v, node.additionalProperties as SchemaNode, `${id}[]`, out);
      }
    }
  }
  return out;
}

/** Paths to every value in `value` (objects, arrays and leaves). */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

function getAt(value: unknown, at: Array<string | number>): unknown {
  return at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
}

function setAt(value: unknown, at: Array<string | number>, replacement: unknown): unknown {
  const copy = structuredClone(value);
  const parent = getAt(copy, at.slice(0, -1)) as Record<string | number, unknown>;
  parent[at[at.length - 1]!] = replacement;
  return copy;
}

/** A value of another JSON type than `v`, that no field accepting `v`'s type accepts instead. */
function otherType(v: unknown): unknown {
  if (v === null) return {};
  if (typeof v === 'string') return 42;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return 'x'; // arrays and objects
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('the JSON the tool writes validates against schema/report.schema.json', () => {
  for (const name of ['clean', 'failing']) {
    it(`the ${name}.json report snapshot`, () => {
      const text = readFileSync(path.join(root, 'test/unit/report/__snapshots__', `${name}.json`), 'utf8');
      assertValidReport(text, `${name}.json`);
    });
  }

  it('--format json of the sample reports, as renderReport writes it', () => {
    for (const r of [cleanReport(), failingReport(), fullReport()]) {
      assertValidReport(renderReport(r, 'json', { ruleMetas: allRules.map((x) => x.meta) }));
    }
  });

  it('a merged matrix report with a project whose job wrote no report, and a scrubbed report', () => {
    const merged = mergeReports([
      cleanReport(),
      { ...failingReport(), projects: [{ ...failingReport().projects[0]!, id: 'b.ini' }] },
    ]);
    assertValidReport(merged, 'merged report');
    assertValidReport(
      withMissingProjects(merged, ['services/c/alembic.ini']).report,
      'with a missing project',
    );
    assertValidReport(scrubReport(fullReport()), 'scrubbed report');
  });

  it("the action's report file (with its github block), written and read back", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mg-schema-'));
    tmpDirs.push(dir);
    const file = path.join(dir, 'report.json');
    const { github, ...plain } = fullReport();
    await writeReportFile(file, plain, github!);
    assertValidReport(readFileSync(file, 'utf8'), 'report file');
    expect((await readReportFile(file)).github).toEqual(github);
  });

  it('a report that sets every field the schema declares validates', () => {
    const full = JSON.parse(JSON.stringify(fullReport())) as unknown;
    expect(reportSchemaErrors(full)).toEqual([]);
    const used = usedFields(full, reportSchema, '#', new Set());
    const unused = [...declaredFields()].filter((f) => !used.has(f) && !f.endsWith('[]'));
    expect(unused).toEqual([]);
  });
});

describe('the schema is not vacuous', () => {
  const full = JSON.parse(JSON.stringify(fullReport())) as unknown;
  // Each mutation below must be the only thing wrong with the report.
  beforeAll(() => expect(reportSchemaErrors(full)).toEqual([]));

  it('changing the type of any value of a full report fails validation', () => {
    const accepted: string[] = [];
    const all = paths(full).filter((p) => p.length > 0);
    expect(all.length).toBeGreaterThan(150);
    for (const at of all) {
      const mutated = setAt(full, at, otherType(getAt(full, at)));
      if (reportSchemaErrors(mutated).length === 0) accepted.push(at.join('.'));
    }
    expect(accepted).toEqual([]);
  });

  it('an unknown field in any object fails validation', () => {
    const accepted: string[] = [];
    const objects = paths(full).filter((p) => {
      const v = getAt(full, p);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    for (const at of objects) {
      const target = getAt(full, at) as Record<string, unknown>;
      const mutated = setAt(full, [...at, 'unknownField'], true);
      expect(target.unknownField).toBeUndefined();
      if (reportSchemaErrors(mutated).length === 0) accepted.push(at.join('.') || '(root)');
    }
    expect(accepted).toEqual([]);
  });

  it('a missing required field, a wrong enum value, a bad rule id and version 2 fail', () => {
    const bad = (at: Array<string | number>, v: unknown) => reportSchemaErrors(setAt(full, at, v));
    expect(bad(['version'], 2)).not.toEqual([]);
    expect(bad(['projects', 0, 'revisions', 0, 'findings', 0, 'severity'], 'info')).not.toEqual([]);
    expect(bad(['projects', 0, 'revisions', 0, 'steps', 0, 'phase'], 'sideways')).not.toEqual([]);
    expect(bad(['projects', 0, 'revisions', 0, 'data', 'verdict'], 'fine')).not.toEqual([]);
    expect(bad(['projects', 0, 'revisions', 0, 'findings', 0, 'rule'], 'Require Index')).not.toEqual([]);
    expect(bad(['projects', 0, 'revisions', 0, 'findings', 0, 'line'], 0)).not.toEqual([]);
    const withoutSummary = structuredClone(full) as Record<string, unknown>;
    delete withoutSummary.summary;
    expect(reportSchemaErrors(withoutSummary)).not.toEqual([]);
  });
});
