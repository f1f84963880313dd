import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli.js';
import { runCli } from '../../src/cli.js';
import { REPOSITORY_URL, RULE_DOCS_BASE, TOOL_VERSION } from '../../src/meta.js';

const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
  version: string;
  repository: { type: string; url: string };
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
