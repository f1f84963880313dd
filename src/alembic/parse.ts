/**
 * Static parsing of one Alembic revision file: identifiers (plain and annotated assignments),
 * module docstring, the upgrade()/downgrade() bodies and every `op.<name>(…)` call — from
 * tokens, without Python. A value that is not a literal (computed, f-string, a name) sets
 * `needsPython`; such files are resolved by python.ts.
 */
import { evalLiteral, evalStrings } from '../python/literal.js';
import type { Token } from '../python/tokenize.js';
import { TokenizeError, isCodeToken, normalizeSource, tokenize } from '../python/tokenize.js';
import { findOpCalls, functionBody } from './body.js';
import type { ParsedRevision } from './types.js';

const IDENTIFIER_NAMES = ['revision', 'down_revision', 'branch_labels', 'depends_on'] as const;
type IdentifierName = (typeof IDENTIFIER_NAMES)[number];

export interface ParseOptions {
  /**
   * Only the module header (docstring and identifiers, up to the first top-level `def`): for
   * revisions already on the base and unchanged, whose bodies no rule looks at. Falls back to
   * a full parse when the header does not declare `revision`.
   */
  headerOnly?: boolean;
}

const FIRST_DEF = /^(?:async[ \t]+)?def[ \t]/m;

export function parseRevisionSource(
  source: string,
  file: string,
  relFile: string = file,
  options: ParseOptions = {},
): ParsedRevision {
  if (options.headerOnly) {
    const cut = source.search(FIRST_DEF);
    if (cut > 0) {
      const header = parseRevisionSource(source.slice(0, cut), file, relFile);
      if (header.revision !== null && header.parseError === null && !header.needsPython) {
        return { ...header, complete: false };
      }
    }
  }
  const result: ParsedRevision = {
    complete: true,
    file,
    relFile,
    revision: null,
    downRevisions: [],
    branchLabels: [],
    dependsOn: [],
    revisionLine: null,
    docstring: null,
    message: null,
    opCalls: [],
    upgrade: null,
    downgrade: null,
    comments: [],
    needsPython: false,
    parseError: null,
  };
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch (e) {
    result.parseError = e instanceof TokenizeError ? e.message : String(e);
    result.needsPython = true;
    return result;
  }
  const src = normalizeSource(source);
  for (const t of tokens) {
    if (t.type === 'COMMENT') result.comments.push({ line: t.line, text: t.value.replace(/^#+/, '').trim() });
  }
  const statements = topLevelStatements(tokens);
  let first = true;
  for (const stmt of statements) {
    const code = stmt.tokens.filter(isCodeToken);
    if (code.length === 0) continue;
    if (first && code.every((t) => t.type === 'STRING')) {
      const doc = evalStrings(code);
      if (doc !== null) {
        result.docstring = doc;
        result.message = firstLine(doc);
      }
    }
    first = false;
    const head = code[0];
    if (head?.type === 'NAME' && (head.value === 'def' || head.value === 'async')) {
      const body = functionBody(stmt.tokens, src);
      if (body?.name === 'upgrade') result.upgrade = body.body;
      if (body?.name === 'downgrade') result.downgrade = body.body;
      continue;
    }
    const assignment = readAssignment(code);
    if (assignment && (IDENTIFIER_NAMES as readonly string[]).includes(assignment.target)) {
      applyIdentifier(result, assignment.target as IdentifierName, assignment.value, head?.line ?? null);
    }
  }
  result.opCalls = findOpCalls(tokens, src);
  return result;
}

function firstLine(doc: string): string | null {
  const line = doc.trim().split('\n')[0]?.trim() ?? '';
  return line === '' ? null : line;
}

interface Statement {
  /** Tokens of a top-level statement, including its indented block for compound statements. */
  tokens: Token[];
}

/** Splits the token stream into top-level statements (a `def` keeps its whole body). */
function topLevelStatements(tokens: Token[]): Statement[] {
  const out: Statement[] = [];
  let current: Token[] = [];
  let level = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || t.type === 'END') break;
    if (t.type === 'INDENT') level++;
    if (t.type === 'DEDENT') level--;
    current.push(t);
    let j = i + 1;
    while (tokens[j]?.type === 'COMMENT' || tokens[j]?.type === 'NL') j++;
    // A statement ends at NEWLINE on level 0 unless an indented block follows it.
    if (level === 0 && (t.type === 'NEWLINE' || t.type === 'DEDENT') && tokens[j]?.type !== 'INDENT') {
      out.push({ tokens: current });
      current = [];
    }
  }
  if (current.length > 0) out.push({ tokens: current });
  return out;
}

interface Assignment {
  target: string;
  value: Token[];
}

/** `name = value` or `name: annotation = value` (the last `=` target wins for chained ones). */
function readAssignment(code: Token[]): Assignment | null {
  const target = code[0];
  const second = code[1];
  if (target?.type !== 'NAME' || second?.type !== 'OP') return null;
  if (second.value !== '=' && second.value !== ':') return null;
  let depth = 0;
  for (let i = 1; i < code.length; i++) {
    const t = code[i];
    if (!t) break;
    if (t.type === 'OP' && '([{'.includes(t.value)) depth++;
    if (t.type === 'OP' && ')]}'.includes(t.value)) depth--;
    if (depth === 0 && t.type === 'OP' && t.value === '=') {
      return { target: target.value, value: code.slice(i + 1) };
    }
  }
  return null;
}

function applyIdentifier(
  result: ParsedRevision,
  name: IdentifierName,
  value: Token[],
  line: number | null,
): void {
  const lit = evalLiteral(value);
  if (lit === null) {
    result.needsPython = true;
    if (name === 'revision') result.revisionLine = line;
    return;
  }
  const asList = lit.kind === 'none' ? [] : lit.kind === 'str' ? [lit.value] : lit.values;
  switch (name) {
    case 'revision':
      if (lit.kind !== 'str') {
        result.needsPython = true;
        return;
      }
      result.revision = lit.value;
      result.revisionLine = line;
      return;
    case 'down_revision':
      result.downRevisions = asList;
      return;
    case 'branch_labels':
      result.branchLabels = asList;
      return;
    case 'depends_on':
      result.dependsOn = asList;
      return;
  }
}
