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
 * The suite runs the CLI on 24 and, through the pre-commit hook on the system Node.js, on 20.
 */
export const MIN_NODE_MAJOR = 20;

/** One line saying this Node.js is too old for the CLI, or null when it is recent enough. */
export function unsupportedNode(version: string): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (!Number.isFinite(major) || major >= MIN_NODE_MAJOR) return null;
  return `Node.js ${MIN_NODE_MAJOR} or later is needed, this is ${version.replace(/^v?/, 'v')}: install a newer Node.js (or run the GitHub Action, which brings its own)`;
}
