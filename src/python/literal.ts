/**
 * The values of Python literals read from tokens without running Python: None, strings
 * (prefixes, escapes, adjacent literals concatenated) and tuples or lists of strings. Anything
 * else (a name, a call, an f-string, bytes) has no value here: the caller falls back to Python.
 */
import type { Token } from './tokenize.js';

export type Literal = { kind: 'none' } | { kind: 'str'; value: string } | { kind: 'list'; values: string[] };
/** None, a string (adjacent literals concatenated), or a tuple/list of strings. */
export function evalLiteral(tokens: Token[]): Literal | null {
  let toks = tokens;
  if (toks.length === 1 && toks[0]?.type === 'NAME' && toks[0].value === 'None') return { kind: 'none' };
  if (toks.every((t) => t.type === 'STRING')) {
    const s = evalStrings(toks);
    return s === null ? null : { kind: 'str', value: s };
  }
  const open = toks[0]?.value;
  const close = toks[toks.length - 1]?.value;
  const bracketed = (open === '(' && close === ')') || (open === '[' && close === ']');
  if (bracketed) toks = toks.slice(1, -1);
  // Split on top-level commas (there are no nested brackets in a literal we accept).
  const items: Token[][] = [[]];
  for (const t of toks) {
    if (t.type === 'OP' && t.value === ',') items.push([]);
    else items[items.length - 1]?.push(t);
  }
  const hasComma = items.length > 1;
  const nonEmpty = items.filter((it) => it.length > 0);
  if (!bracketed && !hasComma) return null;
  if (open === '(' && !hasComma && nonEmpty.length === 1) {
    // `("abc")` is a parenthesized string, `("abc",)` a tuple.
    return evalLiteral(nonEmpty[0] ?? []);
  }
  const values: string[] = [];
  for (const item of nonEmpty) {
    if (!item.every((t) => t.type === 'STRING')) return null;
    const s = evalStrings(item);
    if (s === null) return null;
    values.push(s);
  }
  return { kind: 'list', values };
}

/** Value of adjacent string literals, or null for f-strings and bytes (needs Python). */
export function evalStrings(tokens: Token[]): string | null {
  let out = '';
  for (const t of tokens) {
    const m = /^([A-Za-z]*)('''|"""|'|")([\s\S]*)\2$/.exec(t.value);
    if (!m) return null;
    const prefix = (m[1] ?? '').toLowerCase();
    if (prefix.includes('f') || prefix.includes('b')) return null;
    const body = m[3] ?? '';
    out += prefix.includes('r') ? body : unescape(body);
  }
  return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

function unescape(body: string): string {
  return body.replace(/\\(\n|x[\da-fA-F]{2}|u[\da-fA-F]{4}|U[\da-fA-F]{8}|.)/g, (whole, esc: string) => {
    if (esc === '\n') return '';
    if (/^[xuU]/.test(esc) && esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    return SIMPLE_ESCAPES[esc] ?? whole;
  });
}
