/**
 * PostgreSQL's own parser (libpg-query, WASM). The module instantiates its wasm when imported,
 * so it is imported only by `loadParser()`, the first time there is SQL to lint: a run with
 * nothing to lint (static checks, no pending revision, `rules`, `explain`) never compiles it.
 * Afterwards every parse is synchronous, so a revision is parsed in one pass without awaiting
 * per statement. In the bundle, emscripten finds `libpg-query.wasm` through `__dirname` (set
 * by src/esm-shim.ts to dist/, where scripts/build.mjs copies the wasm).
 */
import type { Node, RawStmt } from 'libpg-query';

export interface ParsedStatement {
  /** One parse-tree node, e.g. `{ IndexStmt: {...} }`. */
  node: Node;
  /** The text of this statement alone (a string sent to the server may hold several). */
  text: string;
}

export type ParseOutcome =
  { ok: true; statements: ParsedStatement[] } | { ok: false; error: string; position: number | null };

let loading: Promise<void> | null = null;
let parseSync: ((sql: string) => { stmts?: RawStmt[] }) | null = null;
let scanSync: ((sql: string) => { tokens: { text: string; tokenName: string }[] }) | null = null;

/** Loads the wasm once per process; later calls return immediately. */
export async function loadParser(): Promise<void> {
  if (parseSync) return;
  loading ??= import('libpg-query').then(async (parser) => {
    await parser.loadModule();
    parseSync = parser.parseSync;
    scanSync = parser.scanSync;
  });
  await loading;
}

/** Parses SQL text; `loadParser()` must have resolved. Never throws on bad SQL. */
export function parseSql(sql: string): ParseOutcome {
  if (!parseSync) throw new Error('parseSql called before loadParser() resolved');
  if (sql.trim() === '') return { ok: true, statements: [] };
  let raw: RawStmt[];
  try {
    raw = parseSync(sql).stmts ?? [];
  } catch (e) {
    const details = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: message, position: details?.cursorPosition ?? null };
  }
  const single = raw.length === 1;
  const bytes = single ? null : Buffer.from(sql, 'utf8');
  const statements: ParsedStatement[] = [];
  for (const r of raw) {
    if (!r.stmt) continue;
    // Locations are byte offsets into the UTF-8 text; one statement needs no slicing.
    const text =
      single || !bytes
        ? sql
        : bytes
            .subarray(r.stmt_location ?? 0, r.stmt_len ? (r.stmt_location ?? 0) + r.stmt_len : bytes.length)
            .toString('utf8');
    statements.push({ node: r.stmt, text: text.trim().replace(/;\s*$/, '') });
  }
  return { ok: true, statements };
}

/** Runs that may hold one identifier: a quoted name, or characters between delimiters. */
const WORDS = /"(?:[^"]|"")*"|[^\s"'.,()[\];=<>+*/:-]+/g;

function hasLongWord(sql: string, minBytes: number): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: shorter texts cannot hold such a word.
  if (sql.length * 3 < minBytes) return false;
  const minUnits = Math.ceil(minBytes / 3);
  for (const w of sql.match(WORDS) ?? []) {
    if (w.length >= minUnits && Buffer.byteLength(w, 'utf8') >= minBytes) return true;
  }
  return false;
}

/**
 * The identifiers written in a statement, as PostgreSQL would name them before truncating them
 * to 63 bytes (the parse tree holds them already truncated): unquoted ones lower-cased, quoted
 * ones with `""` undoubled. Identifiers inside string literals and function bodies are not seen.
 * With `minBytes`, only texts with a word at least that long are scanned (the others give []).
 */
export function writtenIdentifiers(sql: string, minBytes = 0): string[] {
  if (!scanSync) throw new Error('writtenIdentifiers called before loadParser() resolved');
  // Scanning costs a round trip through the wasm; skip texts with no word that long at all.
  if (minBytes > 0 && !hasLongWord(sql, minBytes)) return [];
  let tokens: { text: string; tokenName: string }[];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const t of tokens) {
    if (t.tokenName !== 'IDENT') continue;
    out.push(t.text.startsWith('"') ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toLowerCase());
  }
  return out;
}

/** Convenience for callers that parse a single text: loads the wasm first. */
export async function parseSqlAsync(sql: string): Promise<ParseOutcome> {
  await loadParser();
  return parseSql(sql);
}
