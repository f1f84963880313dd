/**
 * Just enough Python lexing to read a revision file without running it: where the comments
 * are (ignore directives), where each logical statement starts and ends (a finding's line is
 * wherever the driver saw the call, which may be any line of a multi-line `op.` call), and a
 * copy of the code with string contents blanked so that searches never match inside strings
 * or docstrings.
 */

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
  let line = 1;
  let depth = 0;
  let statementStart: number | null = null;
  let continued = false;
  let lineHasCodeBefore = false;

  const endStatementAtLineEnd = () => {
    if (statementStart !== null && depth === 0 && !continued) {
      statements.push({ startLine: statementStart, endLine: line });
      statementStart = null;
    }
  };

  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '\n') {
      endStatementAtLineEnd();
      continued = false;
      lineHasCodeBefore = false;
      line++;
      lineStarts.push(i + 1);
      i++;
      continue;
    }
    if (ch === '#') {
      let end = source.indexOf('\n', i);
      if (end < 0) end = source.length;
      comments.push({ line, text: source.slice(i + 1, end), ownLine: !lineHasCodeBefore });
      for (let k = i; k < end; k++) code[k] = ' ';
      i = end;
      continue;
    }
    if (ch === '\\' && source[i + 1] === '\n') {
      continued = true;
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      if (statementStart === null) statementStart = line;
      lineHasCodeBefore = true;
      const triple = source.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      let k = i + quote.length;
      while (k < source.length) {
        const c = source[k] as string;
        if (c === '\\') {
          blank(code, k, k + 2);
          if (source[k + 1] === '\n') {
            line++;
            lineStarts.push(k + 2);
          }
          k += 2;
          continue;
        }
        if (source.startsWith(quote, k)) break;
        if (c === '\n') {
          if (!triple) break; // unterminated one-line string: stop at the line end
          line++;
          lineStarts.push(k + 1);
        } else {
          code[k] = ' ';
        }
        k++;
      }
      i = Math.min(source.length, source.startsWith(quote, k) ? k + quote.length : k);
      continue;
    }
    if (ch !== ' ' && ch !== '\t' && ch !== '\r' && ch !== '\f') {
      if (statementStart === null) statementStart = line;
      lineHasCodeBefore = true;
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if ((ch === ')' || ch === ']' || ch === '}') && depth > 0) depth--;
    }
    i++;
  }
  if (statementStart !== null) statements.push({ startLine: statementStart, endLine: line });
  return { comments, statements, code: code.join(''), lineStarts };
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
