/**
 * Hostile revision text through the built bundle (dist/cli.js, dist/index.js): a real Alembic
 * repository on a real local PostgreSQL with Debian's alembic, and the fake GitHub API.
 *
 * The pull request's revisions
 *   - name an index `"ix\n::warning title=x::y"` (a workflow command if printed raw),
 *   - carry a docstring that mentions @alice and @acme/dba, embeds an image and links,
 *   - raise an error holding the database URL and the bare password the migration was given
 *     (and write that password to a file, so the test knows it whatever role it was).
 * Every output must mask the passwords, start no line with `::` but our own commands, and
 * render the revision text inert in markdown. A comment that quotes our marker below its first
 * line must not be taken over.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownRuleIds } from '../../rules/index.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import type { AlembicRepo } from '../helpers/git-repo.js';
import { makeAlembicRepo, revisionFile, revisionPath } from '../helpers/git-repo.js';
import type { TestServer } from '../helpers/postgres.js';
import { startTestServer } from '../helpers/postgres.js';
import { assertValidReport } from '../helpers/report-schema.js';
import { ActionRunner, assertBundle, dist, prPayload } from './action-harness.js';

const PYTHON = '/usr/bin/python3';
const MARKER = '<!-- migration-guard:alembic.ini -->';

let pg: TestServer;
let gh: FakeGitHub;
let repo: AlembicRepo;
let baseSha: string;
let headSha: string;
let work: string;
const runner = new ActionRunner();

const CRAFTED_INDEX = 'ix\\n::warning title=x::y';
const HOSTILE_MESSAGE =
  'index for @alice and @acme/dba ![pixel](https://evil.example/p.png) [click](https://evil.example/x) see #12';

beforeAll(async () => {
  assertBundle();
  work = mkdtempSync(path.join(tmpdir(), 'mg-hostile-'));
  // The leaking revision writes what it read here: the sandbox (src/sandbox/) shows it writable.
  process.env.MIGRATION_GUARD_SANDBOX_SHARE = work;
  [pg, gh] = await Promise.all([startTestServer(), startFakeGitHub()]);
  repo = await makeAlembicRepo({
    revisions: [
      {
        id: 'a1000001',
        down: null,
        message: 'create users',
        upgrade:
          "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.Text))",
        downgrade: "op.drop_table('users')",
      },
    ],
  });
  baseSha = repo.git('rev-parse', 'HEAD').trim();
  repo.branch('feature');
  const crafted = {
    id: 'b2000002',
    down: 'a1000001',
    message: HOSTILE_MESSAGE,
    // A Python string literal: the index name holds a real line feed.
    upgrade: `op.execute('CREATE INDEX "${CRAFTED_INDEX}" ON users (email)')`,
    downgrade: `op.execute('DROP INDEX "${CRAFTED_INDEX}"')`,
  };
  const leaking = {
    id: 'c3000003',
    down: 'b2000002',
    message: 'leak the password',
    upgrade: [
      'import os',
      'from urllib.parse import unquote, urlparse',
      "url = os.environ['DATABASE_URL']",
      'password = unquote(urlparse(url).password or "")',
      `with open(${JSON.stringify(path.join(work, 'leaked.txt'))}, 'w') as f:`,
      '    f.write(password)',
      "raise RuntimeError('cannot reach ' + url + ' with password ' + password + " +
        "' (host=db password=' + password + ')\\n::error title=pwned::owned by @alice ![i](https://evil.example/i.png)')",
    ].join('\n'),
    downgrade: 'pass',
  };
  repo.writeFile(revisionPath(crafted), revisionFile(crafted));
  repo.writeFile(revisionPath(leaking), revisionFile(leaking));
  headSha = repo.commit('hostile revisions');
}, 180_000);

afterAll(async () => {
  runner.cleanup();
  await Promise.all([pg?.dispose(), gh?.close(), repo?.cleanup()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function passwords(): string[] {
  const admin = decodeURIComponent(new URL(pg.url).password);
  const seen = readFileSync(path.join(work, 'leaked.txt'), 'utf8');
  expect(admin.length).toBeGreaterThan(8);
  expect(seen.length).toBeGreaterThan(8);
  return [...new Set([admin, seen])];
}

function expectNoPassword(label: string, text: string): void {
  for (const p of passwords()) expect(text.includes(p), `${label} holds a password`).toBe(false);
}

/** Lines the runner would execute: `::` after the white space it trims. */
function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((l) => l.trimStart().startsWith('::'));
}

/** Markdown with fenced code blocks and code spans removed: what GitHub renders as text. */
function outsideCode(markdown: string): string {
  return markdown
    .replace(/^( *)(`{3,})[^\n]*\n[\s\S]*?\n *\2`*\s*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '')
    .replace(/<code>[\s\S]*?<\/code>/g, '');
}

function expectInertMarkdown(label: string, markdown: string): void {
  const text = outsideCode(markdown);
  expect(text, `${label}: mention`).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]/);
  expect(text, `${label}: image`).not.toMatch(/!\[[^\]]*\]\(/);
  expect(text, `${label}: link to revision text`).not.toContain('](https://evil');
  expect(text, `${label}: autolink`).not.toContain('https://evil');
  expect(text, `${label}: issue reference`).not.toMatch(/#12\b/);
  // The text is still there for a reader.
  expect(text).toContain('alice');
}

function cli(format: string, extra: string[] = []) {
  const r = spawnSync(
    process.execPath,
    [
      path.join(dist, 'cli.js'),
      'check',
      '--base',
      'main',
      '--database-url',
      pg.url,
      '--python',
      PYTHON,
      '--format',
      format,
      ...extra,
    ],
    { cwd: repo.dir, encoding: 'utf8', timeout: 180_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hostile revision text through the CLI', () => {
  it('text: masks the passwords, no line starts with ::', () => {
    const r = cli('text');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('upgrade-failed');
    expect(r.stdout).toContain('***');
    expectNoPassword('stdout', r.stdout);
    expectNoPassword('stderr', r.stderr);
    expect(commandLines(r.stdout)).toEqual([]);
    expect(commandLines(r.stderr)).toEqual([]);
  }, 180_000);

  it('github: only our own annotation commands, passwords masked', () => {
    const r = cli('github');
    expect(r.code, r.stderr).toBe(1);
    const commands = commandLines(r.stdout);
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) {
      const m = /^::(error|warning) (?:file=[^,:]*,)?(?:line=\d+,)?title=migration-guard ([a-z-]+)::/.exec(
        line,
      );
      expect(m, line).not.toBeNull();
      expect(knownRuleIds.includes(m![2]!), line).toBe(true);
    }
    expect(r.stdout).not.toMatch(/^\s*::warning title=x::y/m);
    expect(r.stdout).not.toMatch(/^\s*::error title=pwned/m);
    expectNoPassword('github stdout', r.stdout);
    expect(commandLines(r.stderr)).toEqual([]);
  }, 180_000);

  it('markdown: inert revision text, passwords masked, no :: line', () => {
    const r = cli('markdown');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('upgrade-failed');
    expectNoPassword('markdown', r.stdout);
    expectInertMarkdown('markdown', r.stdout);
    expect(commandLines(r.stdout)).toEqual([]);
  }, 180_000);

  it('json and sarif files: passwords masked; the crafted index name keeps no raw line feed in names', () => {
    const jsonFile = path.join(work, 'report.json');
    const sarifFile = path.join(work, 'report.sarif');
    const j = cli('json', ['--output', jsonFile]);
    expect(j.code, j.stderr).toBe(1);
    const s = cli('sarif', ['--output', sarifFile]);
    expect(s.code, s.stderr).toBe(1);
    const json = readFileSync(jsonFile, 'utf8');
    const sarif = readFileSync(sarifFile, 'utf8');
    expectNoPassword('json', json);
    expectNoPassword('sarif', sarif);
    expectNoPassword('stdout with --output', j.stdout + s.stdout);
    expect(commandLines(j.stdout + s.stdout)).toEqual([]);
    assertValidReport(json, 'the hostile revisions report');
    const report = JSON.parse(json) as {
      projects: Array<{
        revisions: Array<{ id: string; findings: Array<{ rule: string; message: string }> }>;
      }>;
    };
    const failed = report.projects[0]!.revisions.find((r) => r.id === 'c3000003')!;
    const finding = failed.findings.find((f) => f.rule === 'upgrade-failed')!;
    expect(finding.message).toContain('***');
    expect(JSON.parse(sarif)).toHaveProperty('runs');
  }, 180_000);
});

describe('hostile revision text through the action', () => {
  it('masks passwords in annotations, summary, report and comment; the comment is inert; a quoted marker claims nothing', async () => {
    // A comment of ours for another project, quoting this project's marker in its SQL.
    const quoting = gh.addComment(
      'acme/shop',
      9,
      `<!-- migration-guard:other/alembic.ini -->\n### other project\n\n\`\`\`sql\nSELECT '${MARKER}';\n\`\`\`\n`,
      'github-actions[bot]',
    );
    const quotingBody = quoting.body;
    const sarifFile = path.join(work, 'action.sarif');
    const run = await runner.run({
      workspace: repo.dir,
      apiUrl: gh.url,
      eventName: 'pull_request',
      payload: prPayload(9, baseSha, headSha),
      inputs: { python: PYTHON, 'database-url': pg.url, 'sarif-file': sarifFile },
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);

    // Annotations and log: the only `::` lines are the commands @actions/core writes.
    for (const line of commandLines(run.stdout)) {
      const m = /^::([a-z-]+)(?: ([^:]*))?::/.exec(line);
      expect(m, line).not.toBeNull();
      expect(['add-mask', 'error', 'warning', 'debug', 'group', 'endgroup', 'notice']).toContain(m![1]);
      if (m![1] === 'add-mask') continue; // the runner consumes it; it never reaches the log
      expectNoPassword(`command ${m![1]}`, line);
      const title = /(?:^|,)title=([^,]*)/.exec(m![2] ?? '')?.[1];
      if (title !== undefined) expect(knownRuleIds.includes(title), line).toBe(true);
    }
    expect(run.stdout).not.toMatch(/^\s*::warning title=x::y/m);
    expect(run.stdout).not.toMatch(/^\s*::error title=pwned/m);
    expectNoPassword('stderr', run.stderr);
    expectNoPassword('summary', run.summary);
    expectNoPassword('report', readFileSync(run.outputs['report-path']!, 'utf8'));
    expectNoPassword('sarif', readFileSync(sarifFile, 'utf8'));

    const onPr = gh.comments.filter((c) => c.issueNumber === 9);
    expect(onPr).toHaveLength(2);
    expect(gh.comments.find((c) => c.id === quoting.id)!.body).toBe(quotingBody);
    const ours = onPr.find((c) => c.id !== quoting.id)!;
    expect(ours.body.startsWith(`${MARKER}\n`)).toBe(true);
    expectNoPassword('comment', ours.body);
    expectInertMarkdown('comment', ours.body);
    expectInertMarkdown('summary', run.summary);

    // A second run finds its own comment (first line) and updates it in place.
    const again = await runner.run({
      workspace: repo.dir,
      apiUrl: gh.url,
      eventName: 'pull_request',
      payload: prPayload(9, baseSha, headSha),
      inputs: { python: PYTHON, 'database-url': pg.url },
    });
    expect(again.code).toBe(1);
    expect(gh.comments.filter((c) => c.issueNumber === 9)).toHaveLength(2);
    expect(gh.comments.find((c) => c.id === quoting.id)!.body).toBe(quotingBody);
  }, 240_000);
});

describe('files outside the repository through the CLI', () => {
  it('links to /dev/zero and to a file elsewhere: findings naming them, nothing read, no round trip', async () => {
    const linked = await makeAlembicRepo({
      revisions: [
        {
          id: 'a1000001',
          down: null,
          message: 'create users',
          upgrade: "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
          downgrade: "op.drop_table('users')",
        },
      ],
    });
    try {
      linked.branch('feature');
      const outside = path.join(work, 'c3000003_elsewhere.py');
      writeFileSync(
        outside,
        `${revisionFile({ id: 'c3000003', down: 'a1000001', message: 'TOP-SECRET-TEXT' })}\n`,
      );
      symlinkSync('/dev/zero', path.join(linked.dir, 'migrations/versions/b2000002_zero.py'));
      symlinkSync(outside, path.join(linked.dir, 'migrations/versions/c3000003_elsewhere.py'));
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        [
          path.join(dist, 'cli.js'),
          'check',
          '--base',
          'main',
          '--database-url',
          pg.url,
          '--python',
          PYTHON,
          '--format',
          'json',
        ],
        { cwd: linked.dir, encoding: 'utf8', timeout: 120_000 },
      );
      expect(performance.now() - t0).toBeLessThan(60_000);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout + r.stderr).not.toContain('TOP-SECRET-TEXT');
      assertValidReport(r.stdout, 'the outside-links report');
      const report = JSON.parse(r.stdout) as {
        projects: Array<{ mode: string; findings: Array<{ rule: string; file: string; message: string }> }>;
      };
      const project = report.projects[0]!;
      expect(project.mode).toBe('static');
      expect(project.findings.map((f) => [f.rule, f.file])).toEqual([
        ['broken-revision-graph', 'migrations/versions/b2000002_zero.py'],
        ['broken-revision-graph', 'migrations/versions/c3000003_elsewhere.py'],
      ]);
      expect(project.findings[0]!.message).toMatch(
        /resolves to \/dev\/zero, outside the repository: not read/,
      );
      expect(project.findings[1]!.message).toContain('outside the repository');
    } finally {
      await linked.cleanup();
    }
  }, 180_000);
});
