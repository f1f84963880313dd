/**
 * Dropping the migration role while the empty template's cleanup drops the role's databases in
 * another session: the catalog race ("tuple concurrently deleted") is retried, anything else
 * is not. The race itself needs two sessions at one instant (seen once in a cancelled e2e run);
 * here a client answers each statement the way the server did.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dropMigrationRole } from '../../../src/database/admin.js';

function fakeClient(failures: Array<{ code: string; message: string }>) {
  const sent: string[] = [];
  const client = {
    query: async (text: string) => {
      sent.push(text);
      if (text.startsWith('DROP ROLE')) {
        const failure = failures.shift();
        if (failure) throw Object.assign(new Error(failure.message), { code: failure.code });
      }
      return { rows: [] };
    },
  };
  return { client: client as unknown as Pick<pg.Client, 'query'>, sent };
}

describe('dropMigrationRole', () => {
  it('retries after a concurrent drop of the same catalog rows, then drops the role', async () => {
    const { client, sent } = fakeClient([{ code: 'XX000', message: 'tuple concurrently deleted' }]);
    await dropMigrationRole(client, 'mg_role', 1);
    expect(sent.filter((q) => q.startsWith('DROP ROLE'))).toEqual([
      'DROP ROLE IF EXISTS "mg_role"',
      'DROP ROLE IF EXISTS "mg_role"',
    ]);
  });

  it('does not retry another error', async () => {
    const { client, sent } = fakeClient([{ code: '42501', message: 'permission denied to drop role' }]);
    await expect(dropMigrationRole(client, 'mg_role', 1)).rejects.toThrow('permission denied to drop role');
    expect(sent.filter((q) => q.startsWith('DROP ROLE'))).toHaveLength(1);
  });

  it('gives up after five attempts', async () => {
    const race = { code: 'XX000', message: 'tuple concurrently deleted' };
    // Each attempt meets DROP ROLE twice when the first fails with 2BP01; here always XX000.
    const { client, sent } = fakeClient(Array.from({ length: 10 }, () => race));
    await expect(dropMigrationRole(client, 'mg_role', 1)).rejects.toThrow('tuple concurrently deleted');
    expect(sent.filter((q) => q.startsWith('DROP ROLE'))).toHaveLength(5);
  });
});
