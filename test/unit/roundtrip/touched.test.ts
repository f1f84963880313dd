/**
 * Which tables a revision's steps may have changed (src/roundtrip/touched.ts): the relations its
 * statements locked, or "unknown" (null: compare every table) when a statement's locks cannot be
 * seen; and the enum label renames that change what unlocked tables read.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutedStatement } from '../../../src/model.js';
import type { SchemaSnapshot } from '../../../src/schema/snapshot.js';
import { enumLabelRenamed, lockedRelations } from '../../../src/roundtrip/touched.js';
import { step } from './revision-fixture.js';

function statement(locks: string[], extra: Partial<ExecutedStatement> = {}): ExecutedStatement {
  return {
    sql: 'UPDATE users SET phone = NULL',
    line: 12,
    durationMs: 1,
    locks: locks.map((relation) => ({ relation, mode: 'RowExclusiveLock' })),
    inTransaction: true,
    revision: 'a1b2',
    error: null,
    ...extra,
  };
}

function snapshot(enums: Record<string, string[]>): SchemaSnapshot {
  return {
    schemas: ['public'],
    tables: {},
    columns: {},
    indexes: {},
    constraints: {},
    enums,
    sequences: {},
    views: {},
    functions: {},
    triggers: {},
    extensions: {},
  } as SchemaSnapshot;
}

describe('lockedRelations', () => {
  it('unions the relations every statement of every step locked', () => {
    const up = {
      ...step('upgrade'),
      statements: [statement(['users', 'users_pkey']), statement(['orders'])],
    };
    const down = { ...step('downgrade'), statements: [statement(['audit.log'])] };
    expect([...(lockedRelations([up, down]) ?? [])].sort()).toEqual([
      'audit.log',
      'orders',
      'users',
      'users_pkey',
    ]);
  });

  it("ignores alembic's bookkeeping (its locks are not read)", () => {
    const up = {
      ...step('upgrade'),
      statements: [statement([], { bookkeeping: true, inTransaction: false }), statement(['users'])],
    };
    expect([...(lockedRelations([up]) ?? [])]).toEqual(['users']);
  });

  it('is unknown when a statement ran outside a transaction (its locks were released before the read)', () => {
    const down = {
      ...step('downgrade'),
      statements: [statement(['users']), statement([], { inTransaction: false })],
    };
    expect(lockedRelations([down])).toBeNull();
    const unknown = { ...step('downgrade'), statements: [statement([], { inTransaction: undefined })] };
    expect(lockedRelations([unknown])).toBeNull();
  });

  it('is unknown when the lock read failed', () => {
    const up = { ...step('upgrade'), statements: [statement(['?'])] };
    expect(lockedRelations([up])).toBeNull();
  });

  it('is empty, not unknown, for steps that ran nothing', () => {
    expect(lockedRelations([step('upgrade'), step('downgrade')])).toEqual(new Set());
  });
});

describe('enumLabelRenamed', () => {
  it('sees a label renamed or gone, not a label added or an enum created or dropped', () => {
    const before = snapshot({ 'public.state': ['a', 'b'] });
    expect(enumLabelRenamed(before, snapshot({ 'public.state': ['a', 'c'] }))).toBe(true);
    expect(enumLabelRenamed(before, snapshot({ 'public.state': ['a', 'b', 'c'] }))).toBe(false);
    expect(enumLabelRenamed(before, snapshot({ 'public.state': ['a', 'b'], 'public.kind': ['x'] }))).toBe(
      false,
    );
    expect(enumLabelRenamed(before, snapshot({}))).toBe(false);
  });
});
