import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli.js';
import { runCli } from '../../src/cli.js';
import {
  MIN_NODE_MAJOR,
  MIN_NODE_VERSION,
  REPOSITORY_URL,
  RULE_DOCS_BASE,
  TOOL_VERSION,
  unsupportedNode,
} from '../../src/meta.js';

const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
  version: string;
  repository: { type: string; url: string };
  engines: { node: string };
};

/** `git+https://github.com/<owner>/<repo>.git` → `https://github.com/<owner>/<repo>`. */
function webUrlOf(repositoryUrl: string): string {
  return repositoryUrl.replace(/^git\+/, '').replace(/\.git$/, '');
}

describe('meta', () => {
  it('TOOL_VERSION matches package.json', () => {
    expect(TOOL_VERSION).toBe(pkg.version);
  });

  it("REPOSITORY_URL is package.json's repository", () => {
    expect(pkg.repository.type).toBe('git');
    expect(REPOSITORY_URL).toBe(webUrlOf(pkg.repository.url));
    expect(REPOSITORY_URL).toMatch(/^https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
  });

  it('rule docs default to the release tag of this version', () => {
    expect(RULE_DOCS_BASE).toBe(`${webUrlOf(pkg.repository.url)}/blob/v${pkg.version}/rules`);
  });
});

describe('Node.js version', () => {
  it("MIN_NODE_VERSION is package.json's engines.node", () => {
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_VERSION}`);
    expect(MIN_NODE_VERSION.startsWith(`${MIN_NODE_MAJOR}.`)).toBe(true);
  });

  it.each([
    ['18.19.0', false],
    ['v19.9.0', false],
    ['20.11.1', false],
    ['20.20.2', true],
    [`${MIN_NODE_VERSION}.0`, true],
    ['22.0.0', true],
    ['24.22.3', true],
  ])('Node.js %s is supported: %s', (version, ok) => {
    const line = unsupportedNode(version);
    if (ok) expect(line).toBeNull();
    else
      expect(line).toMatch(
        new RegExp(`^Node\\.js ${MIN_NODE_VERSION.replace('.', '\\.')} or later is needed, this is v\\d+`),
      );
  });

  it('the CLI says so in one line and exits 3 on an older Node.js', async () => {
    const real = Object.getOwnPropertyDescriptor(process.versions, 'node')!;
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (c) => ((stdout += c), true), isTTY: false },
      stderr: { write: (c) => ((stderr += c), true), isTTY: false },
      env: {},
    };
    Object.defineProperty(process.versions, 'node', { ...real, value: '18.19.1' });
    try {
      expect(await runCli(['check', '--no-database'], io)).toBe(3);
    } finally {
      Object.defineProperty(process.versions, 'node', real);
    }
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `migration-guard: Node.js ${MIN_NODE_VERSION} or later is needed, this is v18.19.1: install a newer Node.js (or run the GitHub Action, which brings its own)\n`,
    );
  });
});

describe('CLI rule doc links', () => {
  it('`rules --format json` links every rule to its doc at the version tag', async () => {
    let stdout = '';
    const io: CliIo = {
      stdout: { write: (c) => ((stdout += c), true), isTTY: false },
      stderr: { write: () => true, isTTY: false },
      // Variables of an action step do not move the CLI's links: only the action entry reads them.
      env: { GITHUB_ACTION_REPOSITORY: 'someone/else', GITHUB_ACTION_REF: 'main' },
    };
    expect(await runCli(['rules', '--format', 'json'], io)).toBe(0);
    const rules = JSON.parse(stdout) as Array<{ id: string; docsUrl: string }>;
    expect(rules.length).toBeGreaterThan(30);
    for (const r of rules) {
      expect(r.docsUrl).toBe(`${webUrlOf(pkg.repository.url)}/blob/v${pkg.version}/rules/${r.id}.md`);
    }
  });
});
