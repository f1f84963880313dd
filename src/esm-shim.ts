/**
 * Imported first by the bundle entries. Some bundled CommonJS dependencies (ssh2, pulled in
 * by testcontainers' docker-modem) read `__dirname`/`__filename`, which ESM output lacks;
 * inside the bundle those free variables resolve to these globals.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const g = globalThis as Record<string, unknown>;
if (g.__filename === undefined) g.__filename = fileURLToPath(import.meta.url);
if (g.__dirname === undefined) g.__dirname = path.dirname(fileURLToPath(import.meta.url));
