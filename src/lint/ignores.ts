/**
 * Ignores: inline `# migration-guard: ignore <rule>[, <rule>] -- <reason>` comments in a
 * revision file (on the line of the `op.` call, anywhere in a multi-line call, or in the
 * comment lines directly above it) and `.migration-guard.yml` `ignore:` entries. An ignored
 * finding stays in the report with `ignored: true` and its reason. A malformed ignore comment
 * becomes an `invalid-ignore` finding, which nothing can ignore.
 */
import type { IgnoreEntry } from '../config.js';
import type { PythonSource } from '../python/source.js';
import { lexPython, statementAt } from '../python/source.js';
import type { PlacedFinding, RuleSettings } from './run.js';
import { runRules } from './run.js';
import type { Rule } from './types.js';

export interface InlineIgnore {
  /** Line of the comment. */
  line: number;
  /** True when the comment is alone on its line (then it also covers the statement below). */
  ownLine: boolean;
  rules: string[];
  reason: string;
}

/** What the invalid-ignore rule sees: the ignore-comment problems of one revision file. */
export interface IgnoreProblemsContext {
  revision: string | null;
  file: string;
  problems: ReadonlyArray<IgnoreProblem>;
}

export interface IgnoreProblem {
  line: number;
  message: string;
}

const DIRECTIVE = /^\s*migration-guard\s*:\s*(.*)$/i;
const INVALID_IGNORE = 'invalid-ignore';

export function parseIgnoreComments(
  source: string,
  knownRules: readonly string[],
): { ignores: InlineIgnore[]; problems: IgnoreProblem[] } {
  return parseFromLexed(lexPython(source), knownRules);
}

function parseFromLexed(
  src: PythonSource,
  knownRules: readonly string[],
): { ignores: InlineIgnore[]; problems: IgnoreProblem[] } {
  const ignores: InlineIgnore[] = [];
  const problems: IgnoreProblem[] = [];
  for (const comment of src.comments) {
    const m = DIRECTIVE.exec(comment.text);
    if (!m) continue;
    const body = (m[1] ?? '').trim();
    const problem = (message: string) => problems.push({ line: comment.line, message });
    const directive = /^ignore\b(.*)$/i.exec(body);
    if (!directive) {
      problem(
        `unknown migration-guard directive "${body.split(/\s/)[0] ?? ''}": write "migration-guard: ignore <rule> -- <reason>"`,
      );
      continue;
    }
    const rest = directive[1] ?? '';
    const sep = rest.indexOf('--');
    const rulePart = sep >= 0 ? rest.slice(0, sep) : rest;
    const reason = sep >= 0 ? rest.slice(sep + 2).trim() : '';
    const rules = rulePart.split(/[\s,]+/).filter((r) => r !== '');
    if (rules.length === 0) {
      problem('ignore comment names no rule: write "migration-guard: ignore <rule-id> -- <reason>"');
      continue;
    }
    const unknown = rules.filter((r) => !knownRules.includes(r));
    if (unknown.length > 0) {
      problem(
        `ignore comment names unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (run "migration-guard rules" for the ids)`,
      );
    }
    if (rules.includes(INVALID_IGNORE))
      problem('invalid-ignore findings cannot be ignored: fix the ignore comment instead');
    if (reason === '') {
      problem(
        `ignore of ${rules.join(', ')} has no reason: add " -- <why this is safe here>" after the rule ids`,
      );
      continue;
    }
    const usable = rules.filter((r) => knownRules.includes(r) && r !== INVALID_IGNORE);
    if (usable.length > 0)
      ignores.push({ line: comment.line, ownLine: comment.ownLine, rules: usable, reason });
  }
  return { ignores, problems };
}

/** The inline ignore covering a finding on `line` for `rule`, if any. */
function inlineIgnoreFor(
  src: PythonSource,
  ignores: InlineIgnore[],
  line: number,
  rule: string,
): InlineIgnore | undefined {
  const stmt = statementAt(src, line) ?? { startLine: line, endLine: line };
  // Comment-only lines directly above the statement belong to it.
  let top = stmt.startLine;
  const ownLineComments = new Set(ignores.filter((i) => i.ownLine).map((i) => i.line));
  const commentLines = new Set(src.comments.filter((c) => c.ownLine).map((c) => c.line));
  while (commentLines.has(top - 1)) top--;
  return ignores.find(
    (i) =>
      i.rules.includes(rule) &&
      ((i.line >= stmt.startLine && i.line <= stmt.endLine) ||
        (ownLineComments.has(i.line) && i.line >= top && i.line < stmt.startLine)),
  );
}

export interface ApplyIgnoresOptions {
  /** Revision file text by file path (as in findings). */
  sources: Map<string, string>;
  configIgnores: IgnoreEntry[];
  /** Revision id → its file path (as in findings). */
  revisionFiles: Map<string, string>;
  /** Project directory relative to the repository root ('' or absent = same), for config `path` globs. */
  projectPrefix?: string;
  /** Rule settings, for invalid-ignore's severity (default: the rule's default). */
  settings?: RuleSettings;
  /** Rule ids an ignore may name: every rule of the catalogue. */
  knownRules: readonly string[];
  /** The rule that reports malformed ignore comments (invalid-ignore of the catalogue). */
  invalidIgnoreRule: Rule<IgnoreProblemsContext>;
}

/**
 * Marks findings covered by an inline or config ignore as ignored and appends an
 * invalid-ignore finding for every malformed ignore comment in `sources`.
 */
export function applyIgnores(findings: PlacedFinding[], opts: ApplyIgnoresOptions): PlacedFinding[] {
  const knownRules = opts.knownRules;
  const lexed = new Map<string, { src: PythonSource; ignores: InlineIgnore[]; problems: IgnoreProblem[] }>();
  for (const [file, text] of opts.sources) {
    const src = lexPython(text);
    lexed.set(file, { src, ...parseFromLexed(src, knownRules) });
  }
  const revisionOfFile = new Map<string, string>();
  for (const [id, file] of opts.revisionFiles) revisionOfFile.set(file, id);

  const out = findings.map((placed) => {
    const f = placed.finding;
    if (f.ignored || f.rule === INVALID_IGNORE) return placed;
    const file = f.file ?? (placed.revision ? opts.revisionFiles.get(placed.revision) : undefined) ?? null;
    const inFile = file ? lexed.get(file) : undefined;
    if (inFile && f.line !== null) {
      const hit = inlineIgnoreFor(inFile.src, inFile.ignores, f.line, f.rule);
      if (hit) return { ...placed, finding: { ...f, ignored: true, ignoreReason: hit.reason } };
    }
    const entry = opts.configIgnores.find((e) =>
      configIgnoreMatches(e, placed, file, opts.projectPrefix ?? ''),
    );
    if (entry) return { ...placed, finding: { ...f, ignored: true, ignoreReason: entry.reason } };
    return placed;
  });

  for (const [file, { problems }] of lexed) {
    if (problems.length === 0) continue;
    out.push(
      ...runRules(
        [opts.invalidIgnoreRule],
        { revision: revisionOfFile.get(file) ?? null, file, problems },
        opts.settings ?? {},
      ),
    );
  }
  return out;
}

function configIgnoreMatches(
  entry: IgnoreEntry,
  placed: PlacedFinding,
  file: string | null,
  prefix: string,
): boolean {
  if (entry.rule !== placed.finding.rule) return false;
  if (entry.revision !== undefined && entry.revision !== placed.revision) return false;
  if (entry.path !== undefined) {
    if (!file) return false;
    const candidates = [file];
    const p = prefix.replace(/\/+$/, '');
    if (p && file.startsWith(`${p}/`)) candidates.push(file.slice(p.length + 1));
    if (!candidates.some((c) => pathMatches(entry.path as string, c))) return false;
  }
  return true;
}

/** Glob match (`*`, `?`, `**`) of a relative path; a pattern without wildcards also matches a directory prefix. */
export function pathMatches(pattern: string, file: string): boolean {
  const pat = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  const f = file.replace(/^\.\//, '');
  if (!/[*?]/.test(pat)) return f === pat || f.startsWith(`${pat}/`);
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i] as string;
    if (c === '*' && pat[i + 1] === '*') {
      const slash = pat[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(f);
}
