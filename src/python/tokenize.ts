/**
 * A tokenizer for the Python subset revision files are written in: names, numbers, strings
 * (prefixed, triple-quoted), comments, operators, bracket nesting, backslash continuations and
 * INDENT/DEDENT — enough to find module-level assignments, function bodies and `op.` calls
 * without running Python. It never evaluates anything.
 */

export type TokenType =
  'NAME' | 'NUMBER' | 'STRING' | 'OP' | 'COMMENT' | 'NEWLINE' | 'NL' | 'INDENT' | 'DEDENT' | 'END';

export interface Token {
  type: TokenType;
  value: string;
  /** 1-based line of the first character. */
  line: number;
  /** 1-based line of the last character (differs for triple-quoted strings). */
  endLine: number;
  /** Offsets into the source. */
  start: number;
  end: number;
}

/** A token that is code: not a comment and not a line break. */
export function isCodeToken(t: Token): boolean {
  return t.type !== 'COMMENT' && t.type !== 'NL' && t.type !== 'NEWLINE';
}

export class TokenizeError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'TokenizeError';
    this.line = line;
  }
}

const NAME_RE = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/y;
const NUMBER_RE =
  /(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)/y;
const OPERATORS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '->',
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '**',
  '//',
  '<<',
  '>>',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
];
const OPERATOR_STARTS = new Set(OPERATORS.map((o) => o[0]));
const PREFIX_CHARS = new Set([...'rRuUbBfF']);
const QUOTE_CODES: Readonly<Record<string, number>> = { "'": 39, '"': 34 };
const BACKSLASH = 92;
const NEWLINE = 10;

function isQuote(ch: string): boolean {
  return ch === "'" || ch === '"';
}

/** Offset of the quote of a prefixed string literal (`rb'…'`, `f"…"`) starting at pos, else -1. */
function prefixedQuote(src: string, pos: number): number {
  const one = src[pos + 1] ?? '';
  if (isQuote(one)) return pos + 1;
  const two = src[pos + 2] ?? '';
  if (!isQuote(two)) return -1;
  const prefix = src.slice(pos, pos + 2).toLowerCase();
  return ['rb', 'br', 'rf', 'fr'].includes(prefix) ? pos + 2 : -1;
}

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** The text token offsets refer to: no byte-order mark, `\n` line ends. */
export function normalizeSource(source: string): string {
  return source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** Tokens of a revision file's source (normalized first); throws TokenizeError on broken input. */
export function tokenize(source: string): Token[] {
  return scan(normalizeSource(source), true);
}

/**
 * Tokens whose offsets are those of the source exactly as given (a `\r` is whitespace, a leading
 * byte-order mark is skipped), never throwing: an unterminated string ends at its line end (or
 * at the end of the file when triple-quoted) and an inconsistent dedent is accepted. For
 * readers that must not fail on a file the parser rejects, such as the ignore-comment reader.
 */
export function tokenizeLoosely(source: string): Token[] {
  return scan(source, false);
}

function scan(src: string, strict: boolean): Token[] {
  const tokens: Token[] = [];
  const indents = [0];
  let pos = src.startsWith('\uFEFF') ? 1 : 0;
  let line = 1;
  let depth = 0;
  let atLineStart = true;
  const push = (type: TokenType, start: number, end: number, startLine: number) => {
    tokens.push({ type, value: src.slice(start, end), line: startLine, endLine: line, start, end });
  };

  while (pos < src.length) {
    if (atLineStart && depth === 0) {
      // Measure indentation of a new logical line; blank and comment-only lines do not count.
      let col = 0;
      let p = pos;
      while (p < src.length && (src[p] === ' ' || src[p] === '\t' || src[p] === '\f')) {
        col = src[p] === '\t' ? (Math.floor(col / 8) + 1) * 8 : src[p] === ' ' ? col + 1 : 0;
        p++;
      }
      pos = p;
      atLineStart = false;
      const ch = src[p];
      if (ch !== '\n' && ch !== '\r' && ch !== '#' && ch !== undefined && ch !== '\\') {
        const top = indents[indents.length - 1] ?? 0;
        if (col > top) {
          indents.push(col);
          push('INDENT', p, p, line);
        } else {
          while (col < (indents[indents.length - 1] ?? 0)) {
            indents.pop();
            push('DEDENT', p, p, line);
          }
          if (strict && col !== (indents[indents.length - 1] ?? 0))
            throw new TokenizeError('inconsistent dedent', line);
        }
      }
      continue;
    }
    const ch = src[pos] ?? '';
    if (ch === ' ' || ch === '\t' || ch === '\f' || ch === '\r') {
      pos++;
      continue;
    }
    if (ch === '\n') {
      const last = tokens[tokens.length - 1];
      const logicalEnd =
        depth === 0 &&
        last !== undefined &&
        last.type !== 'NEWLINE' &&
        last.type !== 'NL' &&
        !onlyCommentsSinceNewline(tokens);
      push(logicalEnd ? 'NEWLINE' : 'NL', pos, pos + 1, line);
      pos++;
      line++;
      atLineStart = true;
      continue;
    }
    if (ch === '#') {
      const nl = src.indexOf('\n', pos);
      const end = nl < 0 ? src.length : nl;
      push('COMMENT', pos, end, line);
      pos = end;
      continue;
    }
    if (ch === '\\' && src[pos + 1] === '\n') {
      pos += 2;
      line++;
      continue;
    }
    const quoteAt = isQuote(ch) ? pos : PREFIX_CHARS.has(ch) ? prefixedQuote(src, pos) : -1;
    if (quoteAt >= 0) {
      const start = pos;
      const startLine = line;
      const quote = src[quoteAt] ?? '"';
      const triple = src[quoteAt + 1] === quote && src[quoteAt + 2] === quote;
      pos = quoteAt + (triple ? 3 : 1);
      for (;;) {
        // Jump to the next character that matters: the quote, a backslash or a newline.
        let next = pos;
        while (next < src.length) {
          const c = src.charCodeAt(next);
          if (c === QUOTE_CODES[quote] || c === BACKSLASH || c === NEWLINE) break;
          next++;
        }
        if (next >= src.length) {
          if (strict) throw new TokenizeError('unterminated string', startLine);
          pos = src.length;
          break;
        }
        const c = src[next];
        if (c === '\\') {
          if (src[next + 1] === '\n') line++;
          pos = Math.min(src.length, next + 2);
          continue;
        }
        if (c === '\n') {
          if (!triple && !strict) {
            pos = next; // the line end stays a line end
            break;
          }
          if (!triple) throw new TokenizeError('unterminated string', startLine);
          line++;
          pos = next + 1;
          continue;
        }
        if (!triple) {
          pos = next + 1;
          break;
        }
        if (src[next + 1] === quote && src[next + 2] === quote) {
          pos = next + 3;
          break;
        }
        pos = next + 1;
      }
      push('STRING', start, pos, startLine);
      continue;
    }
    NAME_RE.lastIndex = pos;
    const name = NAME_RE.exec(src);
    if (name) {
      pos += name[0].length;
      push('NAME', pos - name[0].length, pos, line);
      continue;
    }
    if ((ch >= '0' && ch <= '9') || ch === '.') {
      NUMBER_RE.lastIndex = pos;
      const num = NUMBER_RE.exec(src);
      if (num && num[0] !== '.' && num[0] !== '') {
        pos += num[0].length;
        push('NUMBER', pos - num[0].length, pos, line);
        continue;
      }
    }
    const op = (OPERATOR_STARTS.has(ch) ? OPERATORS.find((o) => src.startsWith(o, pos)) : undefined) ?? ch;
    if (OPEN.has(op)) depth++;
    if (CLOSE.has(op)) depth = Math.max(0, depth - 1);
    pos += op.length;
    push('OP', pos - op.length, pos, line);
  }
  const last = tokens[tokens.length - 1];
  if (last && last.type !== 'NEWLINE' && last.type !== 'NL' && !onlyCommentsSinceNewline(tokens)) {
    push('NEWLINE', pos, pos, line);
  }
  while (indents.length > 1) {
    indents.pop();
    push('DEDENT', pos, pos, line);
  }
  push('END', pos, pos, line);
  return tokens;
}

/** True when the tokens since the last NEWLINE/NL are only comments (a comment-only line). */
function onlyCommentsSinceNewline(tokens: Token[]): boolean {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i];
    if (!t) break;
    if (t.type === 'NEWLINE' || t.type === 'NL' || t.type === 'DEDENT' || t.type === 'INDENT') return true;
    if (t.type !== 'COMMENT') return false;
  }
  return true;
}
