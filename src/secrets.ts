/**
 * Secrets of this run, lowest layer (imports nothing).
 *
 * Every secret this run knows: the tokens and secret inputs of its environment
 * (`secretsOfEnvironment`), the admin user's password (database-url, or the one we gave the
 * embedded/container server) and the passwords of the roles we create. Whatever leaves the
 * process (reports, logs, errors) is scrubbed against this list (src/scrub.ts), so a secret a
 * migration echoes back in an error is masked even when it is not inside a URL.
 *
 * And the environment the pull request's Python sees (the driver, and the static resolver
 * that imports revision files): it runs untrusted code, so it gets the runner's ordinary
 * environment (PATH, HOME, locale, the project's own settings) and the migration role's URL,
 * but none of what lets it act as the workflow or as the database's admin user. README.md
 * "Security" lists what is removed.
 */
const secrets = new Set<string>();
const listeners: ((secret: string) => void)[] = [];

/** Remembers `secret` (and its URL-encoded form) for scrubbing; empty strings are ignored. */
export function registerSecret(secret: string): void {
  if (secret === '') return;
  add(secret);
  add(encodeURIComponent(secret));
}

function add(secret: string): void {
  if (secrets.has(secret)) return;
  secrets.add(secret);
  for (const listener of listeners) listener(secret);
}

/**
 * Calls `listener` with every secret registered so far and every one registered later: the
 * action hands each to the runner (`::add-mask::`), so the runner masks it in the log too.
 */
export function onSecretRegistered(listener: (secret: string) => void): void {
  listeners.push(listener);
  for (const secret of secrets) listener(secret);
}

/** The registered secrets, longest first (so a secret containing another is masked whole). */
export function knownSecrets(): string[] {
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** Removed by name: the action's inputs (github-token, database-url), runner tokens, files. */
const SECRET_NAMES = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_STATE',
  'GITHUB_PATH',
  'GITHUB_STEP_SUMMARY',
  'PGPASSWORD',
]);
/** Removed by prefix: INPUT_* (every action input), ACTIONS_* (runtime and OIDC tokens). */
const SECRET_PREFIXES = ['INPUT_', 'ACTIONS_'];

export function isSecretVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return SECRET_NAMES.has(upper) || SECRET_PREFIXES.some((p) => upper.startsWith(p));
}

/**
 * True when `value` carries `secret` as a password: the whole value, a URL's password
 * (`:secret@`) or a key/value DSN's (`password=secret`). Not any substring: a short password
 * such as `postgres` also occurs in PATH.
 */
function carriesSecret(value: string, secret: string): boolean {
  if (value === secret) return true;
  if (value.includes(`:${secret}@`)) return true;
  return new RegExp(`password\\s*=\\s*'?${escapeRegExp(secret)}(?:'|\\s|$)`, 'i').test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `env` without the secret variables and without any variable that carries a password this
 * run knows (the admin URL under whatever name), plus `urlEnv` = the migrations' URL.
 */
export function untrustedEnvironment(
  env: NodeJS.ProcessEnv,
  urlEnv?: { name: string; url: string },
): NodeJS.ProcessEnv {
  const secrets = knownSecrets();
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isSecretVariable(name)) continue;
    if (secrets.some((s) => carriesSecret(value, s))) continue;
    out[name] = value;
  }
  if (urlEnv) out[urlEnv.name] = urlEnv.url;
  return out;
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

/** The runner's and the workflow's tokens, and libpq's password, by name. */
const TOKEN_VARIABLES = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'PGPASSWORD',
]);
/** An action input or runner variable named like a secret (`github-token`, `…_PASSWORD`). */
const SECRET_LIKE_NAME = /TOKEN|PASSWORD|PASSWD|SECRET|KEY|CREDENTIAL|PRIVATE/;
/** Shorter values are not masked: a one-letter "secret" would mask every word holding it. */
const MIN_SECRET_LENGTH = 4;

/**
 * Every secret the environment hands this run: the tokens above, every `INPUT_*` / `ACTIONS_*`
 * value whose name looks secret (a `…_URL` is an address, not a secret), and the password of
 * any URL or DSN among them (`database-url`). The entry points register them at start-up.
 */
export function secretsOfEnvironment(env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim() ?? '';
    if (value === '') continue;
    const upper = name.toUpperCase();
    const fromRunner = upper.startsWith('INPUT_') || upper.startsWith('ACTIONS_');
    if (TOKEN_VARIABLES.has(upper) || (fromRunner && SECRET_LIKE_NAME.test(upper) && !upper.endsWith('_URL')))
      found.push(value);
    if (fromRunner) found.push(...passwordsOf(value));
  }
  return [...new Set(found.filter((s) => s.length >= MIN_SECRET_LENGTH))];
}
