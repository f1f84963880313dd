/**
 * Imported first by the bundle entries. Some bundled CommonJS dependencies (ssh2, pulled in
 * by testcontainers' docker-modem) read `__dirname`/`__filename`, which ESM output lacks;
 * inside the bundle those free variables resolve to these globals.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installNodeCompat } from './node-compat.js';

const g = globalThis as Record<string, unknown>;
// Always the bundle's own location: a host (e.g. `node -e`) may define other values.
g.__filename = fileURLToPath(import.meta.url);
g.__dirname = path.dirname(fileURLToPath(import.meta.url));
installNodeCompat();
