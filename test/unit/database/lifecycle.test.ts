import { describe, expect, it } from 'vitest';
import { maskUrl, pendingCleanups, registerCleanup, runCleanups } from '../../../src/lifecycle.js';

describe('cleanup registry', () => {
  it('runs every registered cleanup once, newest first, and forgets them', async () => {
    const order: string[] = [];
    registerCleanup(async () => {
      order.push('first');
    });
    registerCleanup(async () => {
      order.push('second');
    });
    expect(pendingCleanups()).toBe(2);
    expect(await runCleanups()).toEqual([]);
    expect(order).toEqual(['second', 'first']);
    expect(pendingCleanups()).toBe(0);
    await runCleanups();
    expect(order).toHaveLength(2);
  });

  it('unregister removes a cleanup', async () => {
    let ran = false;
    const unregister = registerCleanup(async () => {
      ran = true;
    });
    unregister();
    await runCleanups();
    expect(ran).toBe(false);
  });

  it('a failing cleanup does not stop the others; errors are returned', async () => {
    let ran = false;
    registerCleanup(async () => {
      ran = true;
    });
    registerCleanup(async () => {
      throw new Error('boom');
    });
    const errors = await runCleanups();
    expect(ran).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });

  it('a hanging cleanup is abandoned after the time limit', async () => {
    registerCleanup(() => new Promise<void>(() => {}));
    const t0 = Date.now();
    const errors = await runCleanups({ timeoutMs: 200 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(errors.map((e) => e.message)).toEqual(['cleanup did not finish within 200 ms']);
  });
});

describe('maskUrl', () => {
  it.each([
    ['postgresql://u:secret@h:5432/db', 'postgresql://u:***@h:5432/db'],
    ['postgresql://u:p%40ss@h/db?sslmode=require', 'postgresql://u:***@h/db?sslmode=require'],
    ['postgresql://u@h/db', 'postgresql://u@h/db'],
  ])('%s → %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });
});
