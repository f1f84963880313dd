/** Tool identity. A unit test keeps TOOL_VERSION equal to package.json's version. */
export const TOOL_NAME = 'migration-guard';
export const TOOL_VERSION = '0.1.0';
/** package.json's `repository`, as a web URL (a unit test keeps the two equal). */
export const REPOSITORY_URL = 'https://github.com/org/migration-guard';
/**
 * Where rule docs live; every finding links to `${RULE_DOCS_BASE}/<rule-id>.md`. The CLI links to
 * the docs of its own release tag, so a link never describes a newer rule than the one that ran.
 */
export const RULE_DOCS_BASE = `${REPOSITORY_URL}/blob/v${TOOL_VERSION}/rules`;

let docsBase = RULE_DOCS_BASE;

/**
 * In the action, rule docs link to the copy of the version in use:
 * `GITHUB_ACTION_REPOSITORY` at `GITHUB_ACTION_REF` (the `uses: owner/repo@ref` of the step).
 * Values that are not a plain owner/repo and ref are ignored (the default stays).
 */
export function useRuleDocsOf(repository: string | undefined, ref: string | undefined): void {
  if (!repository || !ref) return;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository) || !/^[A-Za-z0-9_./-]+$/.test(ref)) return;
  docsBase = `https://github.com/${repository}/blob/${ref}/rules`;
}

/** The base every finding's docs URL starts with. */
export function ruleDocsBase(): string {
  return docsBase;
}

/**
 * The oldest Node.js the CLI runs on: package.json's `engines.node` (a unit test keeps them equal).
 * 20.12 because the revision scan reads `Dirent.parentPath` (added in 20.12). The suite runs
 * the CLI on 24 and the container path on exactly this version (test/e2e/node-floor.test.ts).
 */
export const MIN_NODE_VERSION = '20.12';
export const MIN_NODE_MAJOR = 20;

/** One line saying this Node.js is too old for the CLI, or null when it is recent enough. */
export function unsupportedNode(version: string): string | null {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return null;
  const [minMajor, minMinor] = MIN_NODE_VERSION.split('.').map(Number) as [number, number];
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return null;
  return `Node.js ${MIN_NODE_VERSION} or later is needed, this is ${version.replace(/^v?/, 'v')}: install a newer Node.js (or run the GitHub Action, which brings its own)`;
}
