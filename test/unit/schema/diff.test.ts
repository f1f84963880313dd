import { describe, expect, it } from 'vitest';
import { diffSnapshots, snapshotsEqual } from '../../../src/schema/diff.js';
import type { ColumnSnapshot, SchemaSnapshot } from '../../../src/schema/snapshot.js';

const column = (type: string, extra: Partial<ColumnSnapshot> = {}): ColumnSnapshot => ({
  type,
  notNull: false,
  default: null,
  identity: '',
  generated: null,
  collation: null,
  ...extra,
});

function snapshot(overrides: Partial<SchemaSnapshot> = {}): SchemaSnapshot {
  return {
    schemas: ['public'],
    tables: { orders: 'r' },
    columns: { 'orders.id': column('integer', { notNull: true }), 'orders.note': column('text') },
    indexes: { orders_pkey: 'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)' },
    constraints: {
      'orders.orders_pkey': { table: 'orders', definition: 'PRIMARY KEY (id)', validated: true },
    },
    enums: {},
    sequences: {},
    views: {},
    functions: {},
    triggers: {},
    extensions: {},
    types: {},
    ...overrides,
  };
}

describe('diffSnapshots', () => {
  it('finds nothing in equal snapshots, whatever the key order (column order is not recorded)', () => {
    const a = snapshot();
    const b = snapshot({
      columns: { 'orders.note': column('text'), 'orders.id': column('integer', { notNull: true }) },
    });
    expect(diffSnapshots(a, b, 'after downgrade')).toEqual([]);
    expect(snapshotsEqual(a, b)).toBe(true);
  });

  it.each<[string, Partial<SchemaSnapshot>, string[]]>([
    [
      'a leftover index and enum type',
      {
        indexes: {
          ...snapshot().indexes,
          ix_orders_note: 'CREATE INDEX ix_orders_note ON public.orders USING btree (note)',
        },
        enums: { order_status: ['new', 'paid'] },
      },
      ['index ix_orders_note remains after downgrade', 'enum type order_status remains after downgrade'],
    ],
    [
      'a changed column',
      {
        columns: {
          'orders.id': column('integer', { notNull: true }),
          'orders.note': column('character varying(20)', { notNull: true, default: "''::character varying" }),
        },
      },
      [
        'column orders.note: type text → character varying(20) after downgrade',
        'column orders.note: nullability NULL → NOT NULL after downgrade',
        "column orders.note: default none → ''::character varying after downgrade",
      ],
    ],
    [
      'a missing table reported once (not its columns, constraints, indexes)',
      { tables: {}, columns: {}, indexes: {}, constraints: {} },
      ['table orders is missing after downgrade'],
    ],
    [
      'a constraint left NOT VALID',
      {
        constraints: {
          'orders.orders_pkey': { table: 'orders', definition: 'PRIMARY KEY (id)', validated: false },
        },
      },
      ['constraint orders.orders_pkey: validated → NOT VALID after downgrade'],
    ],
    [
      'enum labels, extension, function, trigger, view, sequence',
      {
        enums: {},
        extensions: { pg_trgm: '1.6 in public' },
        functions: { 'touch()': 'CREATE FUNCTION touch() …' },
        triggers: { 'orders.trg_touch': 'CREATE TRIGGER trg_touch …' },
        views: { open_orders: 'view: SELECT 1' },
        sequences: { order_no: 'bigint start 1 increment 1 min 1 max 9 cache 1' },
      },
      [
        'extension pg_trgm remains after downgrade',
        'sequence order_no remains after downgrade',
        'view open_orders remains after downgrade',
        'function touch() remains after downgrade',
        'trigger orders.trg_touch remains after downgrade',
      ],
    ],
  ])('describes %s', (_name, after, lines) => {
    expect(diffSnapshots(snapshot(), snapshot(after), 'after downgrade')).toEqual(lines);
  });

  it('words extra objects relative to a re-upgrade', () => {
    const after = snapshot({ enums: { order_status: ['new'] } });
    const before = snapshot({ enums: { order_status: ['new', 'paid'] }, schemas: ['public', 'audit'] });
    expect(diffSnapshots(before, after, 'after re-upgrade')).toEqual([
      'schema audit is missing after re-upgrade',
      'enum type order_status: labels (new, paid) → (new) after re-upgrade',
    ]);
    expect(diffSnapshots(after, before, 'after re-upgrade')).toContain(
      'schema audit appears after re-upgrade',
    );
  });
});
