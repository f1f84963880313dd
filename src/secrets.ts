/**
 * Secrets of this run, lowest layer (imports nothing).
 *
 * Every password this run knows: the admin user's (database-url, or the one we gave the
 * embedded/container server) and each migration role's. Whatever leaves the process (reports,
 * logs, errors) is scrubbed against this list (src/scrub.ts), so a password a migration
 * echoes back in an error is masked even when it is not inside a URL.
 */
const secrets = new Set<string>();

/** Remembers `secret` (and its URL-encoded form) for scrubbing; empty strings are ignored. */
export function registerSecret(secret: string): void {
  if (secret === '') return;
  secrets.add(secret);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) secrets.add(encoded);
}

/** The registered secrets, longest first (so a secret containing another is masked whole). */
export function knownSecrets(): string[] {
  return [...secrets].sort((a, b) => b.length - a.length);
}
