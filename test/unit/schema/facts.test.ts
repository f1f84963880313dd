import { describe, expect, it } from 'vitest';
import { indexColumnsOf } from '../../../src/schema/facts.js';

describe('indexColumnsOf', () => {
  it.each([
    ['CREATE INDEX ix_orders_user_id ON public.orders USING btree (user_id)', 'orders', ['user_id']],
    [
      'CREATE UNIQUE INDEX ux ON public.orders USING btree (user_id, created_at DESC)',
      'orders',
      ['user_id', 'created_at'],
    ],
    [
      'CREATE INDEX ix ON billing.invoices USING btree (lower(email)) WHERE (deleted_at IS NULL)',
      'billing.invoices',
      ['lower(email)'],
    ],
    [
      'CREATE INDEX ix ON ONLY public.events USING btree (tenant_id) INCLUDE (payload)',
      'events',
      ['tenant_id'],
    ],
    ['CREATE INDEX ix ON public."Order" USING gin ("Tags")', 'Order', ['Tags']],
  ])('%s', (definition, table, columns) => {
    expect(indexColumnsOf(definition)).toEqual({ table, columns });
  });

  it('returns null for what it cannot read', () => {
    expect(indexColumnsOf('not an index')).toBeNull();
  });
});
