/**
 * The one scrubber for everything that leaves the process: stdout, stderr, annotations, the
 * JSON / markdown / SARIF reports, the job summary and the PR comment. Revision code is
 * hostile (README.md "Security"): its error text may carry a password or a token, and any
 * text it controls (identifiers, messages, SQL) must not become a GitHub workflow command.
 *
 * - `maskPasswords`: passwords in URLs (`scheme://user:***@`), in key/value DSNs
 *   (`password=***`, quoted values included) and every secret this run registered
 *   (src/secrets.ts): a short one wherever it stands as a token of its own (`shop` in
 *   `shop_test` is a name, not the password), a long one (a token) wherever it stands.
 * - Text that comes from outside the tool (errors, SQL, revision text, names, the environment)
 *   is masked whole. The tool's own vocabulary is not: its name and rule ids (registered by the
 *   entry points) are never masked in text the tool wrote, so a password that happens to be
 *   `postgres` or a rule id leaves doc links, rule ids and the report's schema intact
 *   (`maskTextWithVocabulary`, `scrubReport`); log lines keep only the name (`maskLogText`).
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

/** From this length on a secret is a token, not a word: masked even inside a longer string. */
const LONG_SECRET = 16;

const tokenPatterns = new Map<string, RegExp>();

/**
 * `secret` where it stands: a long one anywhere (a revision that glues a stolen token to a
 * name must not get it through), a short one as a token, not glued to identifier characters
 * on a side where it has one.
 */
function secretPattern(secret: string): RegExp {
  let re = tokenPatterns.get(secret);
  if (!re) {
    const long = secret.length >= LONG_SECRET;
    const before = !long && WORD.test(secret[0] ?? '') ? '(?<![A-Za-z0-9_])' : '';
    const after = !long && WORD.test(secret[secret.length - 1] ?? '') ? '(?![A-Za-z0-9_])' : '';
    re = new RegExp(`${before}${escapeRegExp(secret)}${after}`, 'g');
    tokenPatterns.set(secret, re);
  }
  return re;
}

const TOOL_NAME = 'migration-guard';
/**
 * The tool's own words: its name and its rule ids. The entry points register the catalogue's
 * ids (the catalogue sits above this layer).
 */
const vocabulary = new Set<string>([TOOL_NAME]);
let vocabularyPattern: RegExp | null = null;
const toolNamePattern = wordPattern([TOOL_NAME]);

/** Which of the tool's words a masker keeps (see `maskRegistered`). */
type Keep = 'nothing' | 'name' | 'vocabulary';

export function registerVocabulary(words: Iterable<string>): void {
  for (const word of words) if (word !== '') vocabulary.add(word);
  vocabularyPattern = null;
}

type Span = readonly [start: number, end: number];

function spansOf(text: string, pattern: RegExp): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(pattern)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

function wordPattern(words: string[]): RegExp {
  const alternatives = [...words].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives.join('|')})(?![A-Za-z0-9_])`, 'g');
}

/** Where the tool's words that `keep` names stand in `text`, as whole tokens. */
function keptSpans(text: string, keep: Keep): Span[] {
  if (keep === 'nothing') return [];
  if (keep === 'name') return spansOf(text, toolNamePattern);
  vocabularyPattern ??= wordPattern([...vocabulary]);
  return spansOf(text, vocabularyPattern);
}

function within(spans: readonly Span[], start: number, end: number): boolean {
  return spans.some(([s, e]) => s <= start && end <= e);
}

/**
 * Masks the registered secrets in `text`. An occurrence that is one of the tool's words `keep`
 * names (or part of one) is kept, unless it lies inside `evidence`: text from outside the tool
 * that carries the secret and that `text` quotes (an error a finding's message repeats).
 */
function maskRegistered(text: string, keep: Keep, evidence: readonly string[]): string {
  let out = text;
  // The quotes are masked along with `out`, secret by secret, so they still match it.
  let quotes = keep === 'nothing' ? [] : evidence.map(maskStructural);
  for (const secret of knownSecrets()) {
    const pattern = secretPattern(secret);
    if (out.includes(secret)) {
      const kept = keptSpans(out, keep);
      const quoted = kept.length > 0 ? quotes.flatMap((q) => spansOf(out, literalPattern(q))) : [];
      out = out.replace(pattern, (match: string, offset: number) => {
        const end = offset + match.length;
        return within(kept, offset, end) && !within(quoted, offset, end) ? match : MASK;
      });
    }
    if (quotes.length > 0) quotes = quotes.map((q) => q.replace(pattern, MASK));
  }
  return out;
}

function literalPattern(text: string): RegExp {
  return new RegExp(escapeRegExp(text), 'g');
}

function maskStructural(text: string): string {
  let out = text;
  if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1${MASK}$3`);
  if (/password/i.test(out)) out = out.replace(KEYWORD_PASSWORD, `$1${MASK}`);
  return out;
}

/**
 * Text from outside the tool (an error, SQL, a name, a revision's text): every secret this run
 * knows is masked, and any password in a URL or key/value DSN.
 */
export function maskPasswords(text: string): string {
  return maskRegistered(maskStructural(text), 'nothing', []);
}

/**
 * A report's sentence the tool wrote around text from outside (a finding's message, why a
 * revision was not checked): masked like `maskPasswords`, but the tool's own words stay unless
 * they stand in quoted outside text (`evidence`, see `maskRegistered`).
 */
export function maskTextWithVocabulary(text: string, evidence: readonly string[] = []): string {
  return maskRegistered(maskStructural(text), 'vocabulary', evidence);
}

/**
 * A log line or error message: it quotes outside text (errors, names) with nothing to tell it
 * from the tool's words, so only the tool's name stays (`see migration-guard check --help`,
 * `.migration-guard.yml`); a password that is a rule id is masked here like any other.
 */
export function maskLogText(text: string): string {
  return maskRegistered(maskStructural(text), 'name', []);
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
  return guardCommandLines(escapeControl(maskLogText(text), { multiline: true }));
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
 * Where a report string comes from, by its key (docs/ARCHITECTURE.md "The JSON contract"):
 * - `tool`: the tool's own words (rule ids, doc links, help, enums, its name and version),
 *   never masked, so the report keeps validating and its links keep working;
 * - `mixed`: a sentence the tool wrote around outside text (a finding's message, why a
 *   revision was not checked): masked but for the tool's own words (`maskTextWithVocabulary`);
 * - everything else comes from outside (errors, SQL, revision ids, files and messages, names
 *   from the database, the environment) and is masked whole.
 */
const TOOL_KEYS = new Set([
  'rule',
  'docsUrl',
  'help',
  'severity',
  'phase',
  'verdict',
  'mode',
  'provider',
  'migrationRole',
  'signal',
  'failOn',
]);
const MIXED_KEYS = new Set([
  'notChecked',
  'skipped',
  'roundTripSkipped',
  'dataNote',
  'during',
  'estimateBasis',
]);
/** Objects whose every string is the tool's (the `tool` block; `timings` keys and numbers). */
const TOOL_OBJECTS = new Set(['tool', 'timings', 'summary']);
/** Maps keyed by names from the database (tables, relations): their keys are masked too. */
const NAME_MAPS = new Set(['rows', 'tables', 'unfilled', 'rowsRead', 'bytes', 'lockMs', 'estimatedLockMs']);
/** Arrays of findings, whose `message` the tool wrote around outside text. */
const FINDING_LISTS = new Set(['findings', 'related']);

type Origin = 'tool' | 'mixed' | 'outside';

interface Place {
  key: string;
  /** The key of the nearest object or array holding this value. */
  container: string;
}

function originOf(place: Place): Origin {
  if (TOOL_OBJECTS.has(place.container) || TOOL_KEYS.has(place.key)) return 'tool';
  if (MIXED_KEYS.has(place.key) || place.container === 'unfilled') return 'mixed';
  if (place.key === 'message' && FINDING_LISTS.has(place.container)) return 'mixed';
  return 'outside';
}

/**
 * A deep copy of a report-shaped value with its strings masked by origin (see `originOf`) and
 * escaped: names lose their control characters (line breaks included), free text keeps its
 * line breaks.
 */
export function scrubReport<T>(value: T): T {
  const evidence = new Set<string>();
  const wordLike = knownSecrets().filter((secret) => [...vocabulary].some((word) => word.includes(secret)));
  if (wordLike.length > 0) collectEvidence(value, { key: '', container: '' }, wordLike, evidence);
  return scrubValue(value, { key: '', container: '' }, [...evidence]) as T;
}

/**
 * The lines of outside text that carry a secret that reads like one of the tool's words, and
 * more: when a sentence of the tool quotes one (a finding's message repeating a step's error),
 * the secret in it is masked there too.
 */
function collectEvidence(value: unknown, place: Place, wordLike: readonly string[], out: Set<string>): void {
  if (typeof value === 'string') {
    if (originOf(place) !== 'outside') return;
    for (const line of value.split('\n')) {
      const trimmed = line.trim();
      if (wordLike.some((secret) => trimmed.includes(secret) && trimmed !== secret)) out.add(trimmed);
    }
    return;
  }
  forEachChild(value, place, (child, childPlace) => collectEvidence(child, childPlace, wordLike, out));
}

function forEachChild(value: unknown, place: Place, visit: (child: unknown, place: Place) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) visit(v, { key: place.key, container: place.key });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) visit(v, { key: k, container: place.key });
  }
}

function scrubString(text: string, place: Place, evidence: readonly string[]): string {
  const origin = originOf(place);
  const masked =
    origin === 'tool'
      ? text
      : origin === 'mixed'
        ? maskTextWithVocabulary(text, evidence)
        : maskPasswords(text);
  return escapeControl(masked, { multiline: FREE_TEXT_KEYS.has(place.key) });
}

function scrubValue(value: unknown, place: Place, evidence: readonly string[]): unknown {
  if (typeof value === 'string') return scrubString(value, place, evidence);
  if (Array.isArray(value)) {
    return value.map((v) => scrubValue(v, { key: place.key, container: place.key }, evidence));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const names = NAME_MAPS.has(place.key);
    for (const [k, v] of Object.entries(value)) {
      const key = names ? escapeControl(maskPasswords(k)) : k;
      out[key] = scrubValue(v, { key: k, container: place.key }, evidence);
    }
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
