/**
 * Rule docs (rules/<id>.md). The build copies them to dist/rules/, so they are found next to
 * the bundle at runtime and in the repository when running from sources.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function ruleDocCandidates(id: string): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [
    path.join(here, 'rules', `${id}.md`), // dist/migration-guard.js → dist/rules/
    path.join(here, '..', '..', 'rules', `${id}.md`), // src/lint/docs.ts → rules/
  ];
}

export async function readRuleDoc(id: string): Promise<string | null> {
  const file = ruleDocCandidates(id).find((f) => existsSync(f));
  return file ? readFile(file, 'utf8') : null;
}
