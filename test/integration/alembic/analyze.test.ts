import { afterEach, describe, expect, it } from 'vitest';
import { analyzeProject, type StaticAnalysis } from '../../../src/alembic/analyze.js';
import { locateProjects } from '../../../src/alembic/locate.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { runRules } from '../../../src/lint/run.js';
import { graphRules } from '../../../rules/registry/graph.js';
import {
  makeAlembicRepo,
  revisionFile,
  revisionPath,
  type AlembicRepo,
  type RevisionSpec,
} from '../../helpers/git-repo.js';

const PYTHON = ['/usr/bin/python3'];
const repos: AlembicRepo[] = [];
afterEach(async () => {
  while (repos.length > 0) await repos.pop()?.cleanup();
});

const A: RevisionSpec = {
  id: 'a1000001',
  down: null,
  message: 'create_users_table',
  upgrade: "op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))",
  downgrade: "op.drop_table('users')",
};
const B: RevisionSpec = {
  id: 'b2000002',
  down: 'a1000001',
  message: 'add_users_email',
  upgrade: "op.add_column('users', sa.Column('email', sa.String()))",
  downgrade: "op.drop_column('users', 'email')",
};

/** A repo with A and B committed on main and a `feature` branch checked out. */
async function repoWithBase(
  extra: Partial<Parameters<typeof makeAlembicRepo>[0]> = {},
): Promise<AlembicRepo> {
  const repo = await makeAlembicRepo({ revisions: [A, B], ...extra });
  repos.push(repo);
  repo.branch('feature');
  return repo;
}

function addRevision(repo: AlembicRepo, spec: RevisionSpec, scriptLocation = 'migrations'): void {
  repo.writeFile(revisionPath(spec, scriptLocation), revisionFile(spec));
}

async function analyze(
  repo: AlembicRepo,
  opts: { base?: string | null; all?: boolean } = {},
): Promise<StaticAnalysis> {
  const [project] = await locateProjects({ projectDir: repo.dir, alembicConfigs: [], env: {} });
  if (!project) throw new Error('no project');
  return analyzeProject(project, {
    base: opts.base === undefined ? 'main' : opts.base,
    all: opts.all ?? false,
    python: PYTHON,
    log: silentLogger,
  });
}

function ruleIds(analysis: StaticAnalysis, naming: string | null = null): string[] {
  return runRules(graphRules, { analysis, naming }, { 'revision-message-convention': 'error' }).map(
    (p) => p.finding.rule,
  );
}

describe('analyzeProject against a base ref in a real git repo', () => {
  it('a clean linear PR: one pending revision, no findings', async () => {
    const repo = await repoWithBase();
    addRevision(repo, {
      id: 'c3000003',
      down: 'b2000002',
      message: 'add_orders_table',
      upgrade: "op.create_table('orders')",
      downgrade: "op.drop_table('orders')",
    });
    repo.commit('add c3');
    const a = await analyze(repo);
    expect(a.heads).toEqual(['c3000003']);
    expect(a.baseHeads).toEqual(['b2000002']);
    expect(a.pending).toEqual(['c3000003']);
    expect(a.edited).toEqual([]);
    expect(a.deleted).toEqual([]);
    expect(a.changedFiles).toEqual([
      revisionPath({ id: 'c3000003', down: null, message: 'add_orders_table' }),
    ]);
    expect(a.parsed.get('c3000003')?.relFile).toBe('migrations/versions/c3000003_add_orders_table.py');
    // Applied, unchanged revisions are parsed header-only; pending ones completely.
    expect(a.parsed.get('b2000002')?.complete).toBe(false);
    expect(a.parsed.get('c3000003')?.complete).toBe(true);
    expect(a.parsed.get('c3000003')?.opCalls.map((c) => c.name)).toEqual(['create_table', 'drop_table']);
    expect(ruleIds(a)).toEqual([]);
  });

  it('uncommitted work-tree files are part of HEAD', async () => {
    const repo = await repoWithBase();
    addRevision(repo, { ...B, id: 'c3000003', down: 'b2000002', message: 'add_x_y' });
    const a = await analyze(repo);
    expect(a.pending).toEqual(['c3000003']);
    expect(a.changedFiles).toHaveLength(1);
  });

  it('two heads → multiple-heads naming both and alembic merge heads', async () => {
    const repo = await repoWithBase();
    addRevision(repo, { ...B, id: 'c3000003', down: 'a1000001', message: 'add_users_name' });
    repo.commit('second branch from a1');
    const a = await analyze(repo);
    expect(a.heads).toEqual(['b2000002', 'c3000003']);
    const findings = runRules(graphRules, { analysis: a, naming: null }, {});
    expect(findings.map((f) => f.finding.rule)).toEqual(['multiple-heads']);
    expect(findings[0]?.finding.message).toMatch(/b2000002, c3000003.*alembic merge heads/);
    expect(findings[0]?.finding.file).toBe('migrations/versions/c3000003_add_users_name.py');
  });

  it('a merge revision (tuple down_revision) with empty bodies resolves the heads cleanly', async () => {
    const repo = await repoWithBase();
    addRevision(repo, { ...B, id: 'c3000003', down: 'a1000001', message: 'add_users_name' });
    addRevision(repo, { id: 'd4000004', down: ['b2000002', 'c3000003'], message: 'merge_heads_main' });
    repo.commit('branch and merge');
    const a = await analyze(repo);
    expect(a.heads).toEqual(['d4000004']);
    expect(a.graph.mergePoints).toEqual(['d4000004']);
    expect(a.pending).toEqual(['c3000003', 'd4000004']);
    expect(ruleIds(a)).toEqual([]);
  });

  it('edited applied revision → edited; a comment/formatting-only change is not an edit', async () => {
    const repo = await repoWithBase();
    repo.writeFile(
      revisionPath(B),
      revisionFile({
        ...B,
        upgrade:
          '# explain the column\nop.add_column(\n    "users",\n    sa.Column("email", sa.String()),\n)',
      }),
    );
    repo.commit('reformat b2');
    expect((await analyze(repo)).edited).toEqual([]);
    repo.writeFile(
      revisionPath(B),
      revisionFile({ ...B, upgrade: "op.add_column('users', sa.Column('email', sa.Text()))" }),
    );
    repo.commit('edit b2');
    const a = await analyze(repo);
    expect(a.edited).toEqual(['b2000002']);
    expect(a.editedDetails[0]?.changed).toEqual(['upgrade']);
    const findings = runRules(graphRules, { analysis: a, naming: null }, {});
    expect(findings.map((f) => f.finding.rule)).toEqual(['edited-applied-migration']);
    expect(findings[0]?.finding.line).toBe(a.parsed.get('b2000002')?.upgrade?.defLine);
  });

  it('deleted applied revision → deleted-applied-migration', async () => {
    const repo = await repoWithBase();
    repo.rm(revisionPath(B));
    repo.commit('drop b2');
    const a = await analyze(repo);
    expect(a.deleted).toEqual([{ id: 'b2000002', relFile: revisionPath(B) }]);
    expect(ruleIds(a)).toEqual(['deleted-applied-migration']);
  });

  it('revisions merged into main after the branch point are neither deleted nor applied', async () => {
    const repo = await repoWithBase();
    addRevision(repo, { ...B, id: 'c3000003', down: 'b2000002', message: 'add_feature_table' });
    repo.commit('feature revision');
    repo.checkout('main');
    addRevision(repo, { ...B, id: 'e5000005', down: 'b2000002', message: 'add_main_table' });
    repo.commit('main moves on');
    repo.checkout('feature');
    const a = await analyze(repo);
    expect(a.deleted).toEqual([]);
    expect(a.pending).toEqual(['c3000003']);
  });

  it.each([
    ['without a reason', 'pass', ['empty-downgrade']],
    ['with a comment giving the reason', '# irreversible: the dropped data cannot be restored\npass', []],
  ])('empty downgrade %s', async (_name, downgrade, expected) => {
    const repo = await repoWithBase();
    addRevision(repo, {
      id: 'c3000003',
      down: 'b2000002',
      message: 'drop_users_legacy',
      upgrade: "op.drop_column('users', 'legacy')",
      downgrade,
    });
    repo.commit('c3');
    const a = await analyze(repo);
    const findings = runRules(graphRules, { analysis: a, naming: null }, {});
    expect(findings.map((f) => f.finding.rule)).toEqual(expected);
    if (expected.length > 0) {
      expect(findings[0]).toMatchObject({
        revision: 'c3000003',
        finding: { severity: 'error', line: a.parsed.get('c3000003')?.downgrade?.defLine },
      });
    }
  });

  it('missing docstring (warning) and message convention (when enabled) only on pending revisions', async () => {
    const repo = await repoWithBase({
      revisions: [
        { ...A, message: null },
        { ...B, message: 'Add Email' },
      ],
    });
    addRevision(repo, { ...B, id: 'c3000003', down: 'b2000002', message: null });
    addRevision(repo, { ...B, id: 'd4000004', down: 'c3000003', message: 'Add a column' });
    repo.commit('two new revisions');
    const a = await analyze(repo);
    const findings = runRules(
      graphRules,
      { analysis: a, naming: null },
      { 'revision-message-convention': 'warning' },
    );
    expect(findings.map((f) => [f.finding.rule, f.revision, f.finding.severity])).toEqual([
      ['missing-docstring', 'c3000003', 'warning'],
      ['revision-message-convention', 'd4000004', 'warning'],
    ]);
  });

  it('annotated assignments are read statically', async () => {
    const repo = await repoWithBase();
    addRevision(repo, { ...B, id: 'c3000003', down: 'b2000002', message: 'add_x_y', annotated: true });
    repo.commit('annotated');
    const a = await analyze(repo);
    expect(a.parsed.get('c3000003')?.needsPython).toBe(false);
    expect(a.heads).toEqual(['c3000003']);
  });

  it('duplicate revision ids → broken-revision-graph', async () => {
    const repo = await repoWithBase();
    repo.writeFile('migrations/versions/b2000002_copy.py', revisionFile({ ...B, message: 'copy' }));
    repo.commit('copy');
    const a = await analyze(repo);
    expect(a.graph.duplicates).toEqual([
      { id: 'b2000002', relFiles: [revisionPath(B), 'migrations/versions/b2000002_copy.py'] },
    ]);
    const findings = runRules(graphRules, { analysis: a, naming: null }, {});
    expect(findings.map((f) => f.finding.rule)).toEqual(['broken-revision-graph']);
    expect(findings[0]?.finding.file).toBe('migrations/versions/b2000002_copy.py');
  });

  it('unknown down_revision → broken-revision-graph', async () => {
    const repo = await repoWithBase();
    addRevision(repo, { ...B, id: 'c3000003', down: 'ffffffff', message: 'add_x_y' });
    repo.commit('bad parent');
    const a = await analyze(repo);
    expect(a.graph.unknownParents.map((u) => u.parent)).toEqual(['ffffffff']);
    expect(ruleIds(a)).toContain('broken-revision-graph');
  });

  it('a computed revision id is resolved through /usr/bin/python3, at HEAD and at the base', async () => {
    const computed = (id: string, down: string) =>
      `"""add_computed_rev"""\nfrom alembic import op\n\nPREFIX = "${id.slice(0, 4)}"\nrevision = PREFIX + "${id.slice(4)}"\ndown_revision = "${down}"\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.execute("SELECT 1")\n\n\ndef downgrade():\n    op.execute("SELECT 1")\n`;
    const repo = await makeAlembicRepo({
      revisions: [A],
      files: { 'migrations/versions/comp_b.py': computed('b2000002', 'a1000001') },
    });
    repos.push(repo);
    repo.branch('feature');
    repo.writeFile('migrations/versions/comp_c.py', computed('c3000003', 'b2000002'));
    repo.commit('c3 computed');
    const a = await analyze(repo);
    expect(a.parsed.get('c3000003')?.needsPython).toBe(true);
    expect(a.graph.topologicalOrder()).toEqual(['a1000001', 'b2000002', 'c3000003']);
    expect(a.baseHeads).toEqual(['b2000002']);
    expect(a.pending).toEqual(['c3000003']);
    expect(a.problems).toEqual([]);
  });

  it('a computed id whose file fails to import is recorded, not fatal', async () => {
    const repo = await repoWithBase();
    repo.writeFile(
      'migrations/versions/broken.py',
      'import not_a_module_anywhere\nrevision = "c" + "3"\ndown_revision = "b2000002"\n',
    );
    repo.commit('broken');
    const a = await analyze(repo);
    expect(a.problems).toEqual([
      expect.objectContaining({
        relFile: 'migrations/versions/broken.py',
        importError: true,
        line: 1,
        message: expect.stringMatching(/ModuleNotFoundError/),
      }),
    ]);
    expect(ruleIds(a)).toEqual([]);
  });

  it('base ref not found → exit-2 error saying how to fetch it', async () => {
    const repo = await repoWithBase();
    const err = await analyze(repo, { base: 'origin/nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationGuardError);
    expect((err as MigrationGuardError).exitCode).toBe(2);
    expect((err as Error).message).toBe(
      'base ref "origin/nope" not found: fetch it (actions/checkout with fetch-depth: 0) or pass --base',
    );
  });

  it('without a base every revision is pending (with and without --all); --all with a base too', async () => {
    const repo = await repoWithBase();
    addRevision(repo, { ...B, id: 'c3000003', down: 'b2000002', message: 'add_x_y' });
    expect((await analyze(repo, { base: null })).pending).toEqual(['a1000001', 'b2000002', 'c3000003']);
    const noBase = await analyze(repo, { base: null, all: true });
    expect(noBase.baseGraph).toBeNull();
    expect(noBase.baseHeads).toEqual([]);
    expect(noBase.changedFiles).toBeUndefined();
    expect((await analyze(repo, { all: true })).pending).toEqual(['a1000001', 'b2000002', 'c3000003']);
  });

  it('multiple version locations and recursive version locations, at HEAD and at the base', async () => {
    const ini = `[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/migrations/versions;%(here)s/modules/billing/versions\nversion_path_separator = ;\nrecursive_version_locations = true\n`;
    const repo = await makeAlembicRepo({
      revisions: [A],
      files: {
        'alembic.ini': ini,
        'modules/billing/versions/2026/b2_billing.py': revisionFile({ ...B, message: 'add_billing_table' }),
      },
    });
    repos.push(repo);
    repo.branch('feature');
    repo.writeFile(
      'modules/billing/versions/2027/deep/c3.py',
      revisionFile({ ...B, id: 'c3000003', down: 'b2000002', message: 'add_x_y' }),
    );
    repo.commit('deep revision');
    const a = await analyze(repo);
    expect([...a.graph.revisions.keys()].sort()).toEqual(['a1000001', 'b2000002', 'c3000003']);
    expect(a.baseGraph?.revisions.size).toBe(2);
    expect(a.pending).toEqual(['c3000003']);
    expect(a.parsed.get('b2000002')?.relFile).toBe('modules/billing/versions/2026/b2_billing.py');
  });

  it('non-recursive version locations ignore subdirectories, like alembic', async () => {
    const repo = await repoWithBase();
    repo.writeFile('migrations/versions/sub/c3.py', revisionFile({ ...B, id: 'c3000003', down: 'b2000002' }));
    repo.commit('nested');
    const a = await analyze(repo);
    expect(a.graph.revisions.has('c3000003')).toBe(false);
  });
});
