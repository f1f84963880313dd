/** Tool identity. A unit test keeps TOOL_VERSION equal to package.json's version. */
export const TOOL_NAME = 'migration-guard';
export const TOOL_VERSION = '0.1.0';
/** Where rule docs live; every finding links to `${RULE_DOCS_BASE}/<rule-id>.md`. */
export const REPOSITORY_URL = 'https://github.com/org/migration-guard';
export const RULE_DOCS_BASE = `${REPOSITORY_URL}/blob/main/rules`;
