/**
 * The one scrubber for everything that leaves the process: stdout, stderr, annotations, the
 * JSON / markdown / SARIF reports, the job summary and the PR comment. Revision code is
 * hostile (README.md "Security"): its error text may carry a password, and any text it
 * controls (identifiers, messages, SQL) must not become a GitHub workflow command.
 *
 * - `maskPasswords`: passwords in URLs (`scheme://user:***@`), in key/value DSNs
 *   (`password=***`, quoted values included) and every password this run registered
 *   (src/secrets.ts) wherever it stands as a token of its own. A registered password inside a
 *   longer name (`shop` in `shop_test`) is left alone: that is a name, not the password.
 * - `escapeControl`: control characters become visible escapes (`\x1b`, `\r`, `\u2028`);
 *   names also get `\n` escaped, free text (messages, SQL) keeps its line breaks.
 * - `guardCommandLines`: no output line can start with `::` (the runner executes such a line
 *   as a workflow command after trimming leading white space), so one is prefixed with `\`.
 */
import { knownSecrets } from './secrets.js';

const MASK = '***';

// user:password@ of any scheme://. The password may hold spaces (a malformed URL the user
// pasted) but not a line break.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\n]*?)(@)/gi;
// libpq key/value DSN and environment style: password=secret, password = 'se cr\'et', PGPASSWORD=...
const KEYWORD_PASSWORD = /(\b(?:pg)?password\s*=\s*)('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[^\s'",;]+)/gi;

const WORD = /[A-Za-z0-9_]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const tokenPatterns = new Map<string, RegExp>();

/** `secret` as a token: not glued to identifier characters on a side where it has one. */
function tokenPattern(secret: string): RegExp {
  let re = tokenPatterns.get(secret);
  if (!re) {
    const before = WORD.test(secret[0] ?? '') ? '(?<![A-Za-z0-9_])' : '';
    const after = WORD.test(secret[secret.length - 1] ?? '') ? '(?![A-Za-z0-9_])' : '';
    re = new RegExp(`${before}${escapeRegExp(secret)}${after}`, 'g');
    tokenPatterns.set(secret, re);
  }
  return re;
}

/** Masks every password this run knows, and any password in a URL or key/value DSN. */
export function maskPasswords(text: string): string {
  let out = text;
  if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1${MASK}$3`);
  if (/password/i.test(out)) out = out.replace(KEYWORD_PASSWORD, `$1${MASK}`);
  for (const secret of knownSecrets()) {
    if (out.includes(secret)) out = out.replace(tokenPattern(secret), MASK);
  }
  return out;
}

// C0 controls but tab and line feed, DEL, C1 controls (U+0085 is a line break to some
// readers), the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_OR_NEWLINE = /[\u0000-\u0008\n\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED_ESCAPES[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Control characters as visible escapes. `multiline` keeps line feeds (and turns CRLF into
 * LF first: a revision file saved on Windows is not hostile); otherwise `\n` is escaped too.
 */
export function escapeControl(text: string, options: { multiline?: boolean } = {}): string {
  if (options.multiline) return text.replace(/\r\n/g, '\n').replace(CONTROL, escapeChar);
  return text.replace(CONTROL_OR_NEWLINE, escapeChar);
}

// What the runner trims before looking for `::` (.NET white space), and `::` itself.
const COMMAND_LINE = /^([\s\u0085\u180e\u200b]*)::/gm;

/** Prefixes `\` to the `::` of any line that would otherwise start with it. */
export function guardCommandLines(text: string): string {
  return text.includes('::') ? text.replace(COMMAND_LINE, '$1\\::') : text;
}

/** For a line or block of text written to stdout/stderr: masked, escaped, guarded. */
export function scrubOutput(text: string): string {
  return guardCommandLines(escapeControl(maskPasswords(text), { multiline: true }));
}

/** Report fields that hold free text (line breaks kept); every other string is a name. */
const FREE_TEXT_KEYS = new Set([
  'message',
  'help',
  'statement',
  'sql',
  'error',
  'ignoreReason',
  'skipped',
  'schemaDiff',
  'text',
  'markdown',
]);

/**
 * A deep copy of a report-shaped value with every string masked and escaped: names lose
 * their control characters (line breaks included), free text keeps its line breaks.
 */
export function scrubReport<T>(value: T): T {
  return scrubValue(value, false) as T;
}

function scrubValue(value: unknown, freeText: boolean): unknown {
  if (typeof value === 'string') return escapeControl(maskPasswords(value), { multiline: freeText });
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, freeText));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, FREE_TEXT_KEYS.has(k));
    return out;
  }
  return value;
}

/**
 * Revision text (messages, names, error text) placed in markdown outside code: HTML escaped,
 * and unable to mention (`@` is followed by a word joiner), reference issues (`#1`), make a
 * link or embed an image (`[`, `]` and `\` are backslash-escaped; bare `https://…` and
 * `www.…`, which GitHub autolinks, get a word joiner inside). Code spans and fences need none
 * of this: GitHub renders nothing inside them.
 */
export function inertMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\[\]]/g, '\\$&')
    .replace(/@/g, '@\u2060')
    .replace(/#(?=\d)/g, '#\u2060')
    .replace(/:\/\//g, ':\u2060//')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u2060.`);
}

/**
 * The password(s) a connection string carries, raw and decoded: a URL's (`user:pw@`, spaces
 * and unencoded `@` included, up to the last `@`) or a key/value DSN's (`password=pw`).
 */
export function passwordsOf(connection: string): string[] {
  const found: string[] = [];
  const url = /^\s*[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^\n]*)@/i.exec(connection);
  if (url?.[1]) {
    found.push(url[1]);
    try {
      found.push(decodeURIComponent(url[1]));
    } catch {
      // not valid percent-encoding: the raw form only
    }
  }
  for (const m of connection.matchAll(/\b(?:pg)?password\s*=\s*('(?:[^'\\\n]|\\.)*'|[^\s'";]+)/gi)) {
    const value = m[1] ?? '';
    found.push(value.startsWith("'") ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value);
  }
  return [...new Set(found.filter((p) => p !== ''))];
}
