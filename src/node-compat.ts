/**
 * Node.js versions package.json `engines` allows but a bundled dependency does not expect.
 *
 * The HTTP client bundled with the Docker client uses two functions Node.js 20 lacks, at load
 * time: `zlib.createZstdDecompress` (Node.js 22.15) and `worker_threads.markAsUncloneable`
 * (Node.js 22.10). Without them the container path died with "Cannot read properties of
 * undefined (reading 'bind')" before any work. Stand-ins are installed only where the
 * function is missing:
 * - zstd: the Docker API never answers with a zstd body, so the stand-in is never called;
 *   if a server did send one, it fails with a clear error instead of a wrong body.
 * - markAsUncloneable only stops an object from being posted to another thread; this tool
 *   never posts those objects, so doing nothing is the same behaviour.
 */
import workerThreads from 'node:worker_threads';
import zlib from 'node:zlib';

type Patchable = Record<string, unknown>;

function define(target: Patchable, name: string, value: unknown): boolean {
  if (typeof target[name] === 'function') return false;
  Object.defineProperty(target, name, { value, configurable: true, writable: true });
  return true;
}

/** Installs what is missing; returns the names it installed (none on Node.js ≥ 22.15). */
export function installNodeCompat(
  modules: { zlib: Patchable; workerThreads: Patchable } = {
    zlib: zlib as unknown as Patchable,
    workerThreads: workerThreads as unknown as Patchable,
  },
): string[] {
  const installed: string[] = [];
  const zstdUnsupported = (): never => {
    throw new Error(`zstd-compressed responses need Node.js 22.15 or later (this is ${process.version})`);
  };
  if (define(modules.zlib, 'createZstdDecompress', zstdUnsupported))
    installed.push('zlib.createZstdDecompress');
  if (define(modules.workerThreads, 'markAsUncloneable', () => undefined))
    installed.push('worker_threads.markAsUncloneable');
  return installed;
}
