import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { installNodeCompat } from '../../src/node-compat.js';

describe('Node.js compatibility stand-ins', () => {
  it('installs both stand-ins where the functions are missing (Node.js 20)', () => {
    const modules = { zlib: {} as Record<string, unknown>, workerThreads: {} as Record<string, unknown> };
    expect(installNodeCompat(modules)).toEqual([
      'zlib.createZstdDecompress',
      'worker_threads.markAsUncloneable',
    ]);
    const zstd = modules.zlib.createZstdDecompress as (...a: unknown[]) => unknown;
    // What the bundled HTTP client does when it is loaded: bind it.
    const bound = zstd.bind(null, { params: {} });
    expect(() => bound()).toThrow(/zstd-compressed responses need Node\.js 22\.15 or later \(this is v/);
    const mark = modules.workerThreads.markAsUncloneable as (o: object) => unknown;
    expect(mark({})).toBeUndefined();
  });

  it('leaves functions that exist alone', () => {
    const own = () => 'own';
    const modules = { zlib: { createZstdDecompress: own }, workerThreads: { markAsUncloneable: own } };
    expect(installNodeCompat(modules)).toEqual([]);
    expect(modules.zlib.createZstdDecompress).toBe(own);
    expect(modules.workerThreads.markAsUncloneable).toBe(own);
  });

  it('changes nothing on the Node.js the suite runs on (24, which has both)', () => {
    const real = (zlib as unknown as Record<string, unknown>).createZstdDecompress;
    expect(typeof real).toBe('function');
    expect(installNodeCompat()).toEqual([]);
    expect((zlib as unknown as Record<string, unknown>).createZstdDecompress).toBe(real);
  });
});
