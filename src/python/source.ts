/**
 * Just enough Python lexing to read a revision file without running it: where the comments
 * are (ignore directives), where each logical statement starts and ends (a finding's line is
 * wherever the driver saw the call, which may be any line of a multi-line `op.` call), and a
 * copy of the code with string contents blanked so that searches never match inside strings
 * or docstrings. Built on the one Python tokenizer (tokenize.ts) the static parser uses, in its
 * loose mode: a file the parser rejects still has its ignore comments read.
 */
import type { Token } from './tokenize.js';
import { tokenizeLoosely } from './tokenize.js';

export interface PythonComment {
  /** 1-based line of the `#`. */
  line: number;
  /** Text after the `#`, untrimmed. */
  text: string;
  /** True when nothing but whitespace precedes the `#` on its line. */
  ownLine: boolean;
}

export interface LogicalStatement {
  /** 1-based first and last physical line. */
  startLine: number;
  endLine: number;
}

export interface PythonSource {
  comments: PythonComment[];
  statements: LogicalStatement[];
  /** Same length and line breaks as the input; string contents and comments replaced by spaces. */
  code: string;
  /** Offset of the start of each line (index 0 = line 1). */
  lineStarts: number[];
}

export function lexPython(source: string): PythonSource {
  const comments: PythonComment[] = [];
  const statements: LogicalStatement[] = [];
  const code = source.split('');
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let statementStart: number | null = null;
  /** Last physical line on which code (a string included) has been seen. */
  let lastCodeLine = 0;
  for (const token of tokenizeLoosely(source)) {
    switch (token.type) {
      case 'COMMENT':
        comments.push({ line: token.line, text: token.value.slice(1), ownLine: lastCodeLine !== token.line });
        blank(code, token.start, token.end);
        break;
      case 'NEWLINE':
        if (statementStart !== null) statements.push({ startLine: statementStart, endLine: token.line });
        statementStart = null;
        break;
      case 'NL':
      case 'INDENT':
      case 'DEDENT':
      case 'END':
        break;
      default:
        statementStart ??= token.line;
        lastCodeLine = token.endLine;
        if (token.type === 'STRING') blankStringContents(code, token);
    }
  }
  if (statementStart !== null) statements.push({ startLine: statementStart, endLine: lineStarts.length });
  return { comments, statements, code: code.join(''), lineStarts };
}

/** Blanks what is between a string's quotes (its prefix and quotes stay). */
function blankStringContents(code: string[], token: Token): void {
  const value = token.value;
  const quoteAt = value.search(/['"]/);
  const quote = value[quoteAt] ?? '"';
  const triple = value.startsWith(quote.repeat(3), quoteAt);
  const open = quoteAt + (triple ? 3 : 1);
  const close = quote.repeat(triple ? 3 : 1);
  const closed = value.length - open >= close.length && value.endsWith(close) && !endsEscaped(value);
  blank(code, token.start + open, token.end - (closed ? close.length : 0));
}

/** True when the string's last quote is escaped (an unterminated string ending in `\"`). */
function endsEscaped(value: string): boolean {
  let backslashes = 0;
  for (let k = value.length - 2; k >= 0 && value[k] === '\\'; k--) backslashes++;
  return backslashes % 2 === 1;
}

function blank(code: string[], from: number, to: number): void {
  for (let k = from; k < to && k < code.length; k++) if (code[k] !== '\n') code[k] = ' ';
}

/** The logical statement that contains a physical line, if any. */
export function statementAt(src: PythonSource, line: number): LogicalStatement | undefined {
  return src.statements.find((s) => s.startLine <= line && line <= s.endLine);
}

export function lineOfOffset(src: PythonSource, offset: number): number {
  let lo = 0;
  let hi = src.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((src.lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export interface PythonCall {
  /** Dotted callee as written, e.g. `op.create_foreign_key`, `sa.ForeignKey`. */
  callee: string;
  /** Offset of the callee's first character and of the closing parenthesis. */
  start: number;
  end: number;
  line: number;
  /** Top-level arguments as code text (strings blanked), trimmed. */
  args: string[];
}

/** Every call of a dotted name in the code (strings and comments already blanked). */
export function findCalls(src: PythonSource, callee: RegExp): PythonCall[] {
  const calls: PythonCall[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*\(/g;
  const code = src.code;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) {
    const name = (m[1] as string).replace(/\s+/g, '');
    // Keep scanning inside this call's arguments for nested calls.
    re.lastIndex = m.index + (m[0] as string).length;
    if (!callee.test(name)) continue;
    const open = m.index + (m[0] as string).length - 1;
    const parsed = splitArguments(code, open);
    if (!parsed) continue;
    calls.push({
      callee: name,
      start: m.index,
      end: parsed.end,
      line: lineOfOffset(src, m.index),
      args: parsed.args,
    });
  }
  return calls;
}

function splitArguments(code: string, open: number): { args: string[]; end: number } | null {
  const args: string[] = [];
  let depth = 0;
  let from = open + 1;
  for (let k = open; k < code.length; k++) {
    const c = code[k];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        const last = code.slice(from, k).trim();
        if (last !== '') args.push(last);
        return { args, end: k };
      }
    } else if (c === ',' && depth === 1) {
      args.push(code.slice(from, k).trim());
      from = k + 1;
    }
  }
  return null;
}

/** The value text of a keyword argument (`name=...`), or undefined. */
export function keywordArgument(call: PythonCall, keyword: string): string | undefined {
  const re = new RegExp(`^${keyword}\\s*=(?!=)\\s*`);
  for (const a of call.args) {
    const m = re.exec(a);
    if (m) return a.slice(m[0].length).trim();
  }
  return undefined;
}

export function positionalArguments(call: PythonCall): string[] {
  return call.args.filter((a) => !/^[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)/.test(a) && !a.startsWith('*'));
}
