/**
 * Reading an option's value, the same way for a CLI flag and an action input: durations with
 * units, counts, the one way to get a database, and "did you mean" for a mistyped name.
 */
import type { DatabaseSpec } from '../config.js';
import { DEFAULT_POSTGRES_IMAGE, parseDurationMs } from '../config.js';
import { usageError } from '../errors.js';

/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The nearest candidate when it is close enough to be a typo, else null. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  if (best !== null && bestDistance <= tolerance) return best;
  // A prefix ("--fail") is a typo too.
  return candidates.find((c) => word.length >= 3 && c.startsWith(word)) ?? null;
}

/** A duration flag or input: a number with a unit (500ms, 30s, 2min); a bare number is ambiguous. */
export function parseDurationOption(value: string, where: string): number {
  const ms = /^\s*\d+(\.\d+)?\s*(ms|s|min|m)\s*$/.test(value) ? parseDurationMs(value) : null;
  if (ms === null) {
    throw usageError(`${where}: expected a duration with a unit such as 500ms, 30s or 2min (got "${value}")`);
  }
  return ms;
}

export function parseConcurrency(value: string, where: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1) {
    throw usageError(`${where} must be a whole number ≥ 1 (got "${value}")`);
  }
  return n;
}

export function parseMaxAnnotations(value: string, where: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 0) {
    throw usageError(`${where} must be a whole number ≥ 0 (got "${value}")`);
  }
  return n;
}

/** The database options as given, by flag or by input (absent = undefined or ''). */
export interface DatabaseChoice {
  url?: string;
  image?: string;
  version?: string;
  local?: boolean;
  none?: boolean;
}

/**
 * One way to get a database, shared by the CLI and the action. postgres-version N goes with
 * any of them: the production major, which the local provider runs, the default image
 * follows (postgres:N-alpine), any other server is checked against, and version-aware rules
 * assume when no database runs. `style` names things as the user wrote them (--flag or "input").
 */
export function databaseFromChoice(
  choice: DatabaseChoice,
  style: 'flag' | 'input',
  autoImage: string,
): { database: DatabaseSpec; postgresVersion: number | null } {
  const name = (n: string) => (style === 'flag' ? `--${n}` : n);
  const given = [
    choice.url ? 'database-url' : null,
    choice.image ? 'postgres-image' : null,
    choice.local ? 'local-postgres' : null,
    choice.none ? 'no-database' : null,
  ].filter((g): g is string => g !== null);
  if (given.length > 1) {
    throw usageError(
      `${style === 'input' ? 'inputs ' : ''}${given.map(name).join(' and ')} conflict: choose one way to get a database`,
    );
  }
  let postgresVersion: number | null = null;
  if (choice.version) {
    const m = /^(\d+)(\.\d+)?$/.exec(choice.version.trim());
    if (!m || Number(m[1]) < 9 || Number(m[1]) > 30) {
      throw usageError(
        `${name('postgres-version')} must be a major version such as 16 (got "${choice.version}")`,
      );
    }
    postgresVersion = Number(m[1]);
  }
  if (choice.url) {
    if (!/^postgres(ql)?(\+[a-z0-9]+)?:\/\//i.test(choice.url)) {
      throw usageError(`${name('database-url')} must be a postgresql:// URL of a server the job can reach`);
    }
    return { database: { kind: 'url', url: choice.url }, postgresVersion };
  }
  if (choice.image) {
    const image = choice.image.trim();
    const bare = /^\d+(\.\d+)?$/.test(image) ? `postgres:${image}-alpine` : image;
    return { database: { kind: 'container', image: bare }, postgresVersion };
  }
  if (choice.local) return { database: { kind: 'local' }, postgresVersion };
  if (choice.none) return { database: { kind: 'none' }, postgresVersion };
  const versionedImage = autoImage === DEFAULT_POSTGRES_IMAGE;
  return {
    database: { kind: 'auto', image: autoImage, ...(versionedImage && { versionedImage }) },
    postgresVersion,
  };
}
