/**
 * src/driver/capture_metadata.py as a Python module: it compiles warning-free on both stacks'
 * interpreters, and tables_of() names tables like the SQL rules do (schema-qualified unless
 * public, MetaData or a list of them). The whole run is tested in
 * test/integration/precision/base-models.test.ts.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testPythons } from '../../integration/roundtrip/fixtures.js';

const script = path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'driver', 'capture_metadata.py');

describe.each(testPythons())('capture_metadata.py with $name', ({ argv }) => {
  const [python, ...prefix] = argv as [string, ...string[]];
  const py = (code: string): string =>
    execFileSync(python, [...prefix, '-W', 'error', '-c', code], {
      encoding: 'utf8',
      cwd: path.dirname(script),
    });

  it('compiles without warnings', () => {
    expect(
      py(
        `compile(open(${JSON.stringify(script)}, encoding="utf-8").read(), "capture_metadata.py", "exec"); print("ok")`,
      ),
    ).toBe('ok\n');
  });

  it('names tables schema-qualified unless public, from one MetaData or several', () => {
    const out = py(`
import json, sqlalchemy as sa, capture_metadata as c
a = sa.MetaData(); b = sa.MetaData()
sa.Table("users", a, sa.Column("id", sa.Integer), sa.Column("email", sa.Text))
sa.Table("orders", a, sa.Column("id", sa.Integer), schema="public")
sa.Table("log", b, sa.Column("at", sa.Integer), schema="audit")
print(json.dumps([c.tables_of(a), c.tables_of([a, b])], sort_keys=True))
`);
    expect(JSON.parse(out)).toEqual([
      { orders: ['id'], users: ['id', 'email'] },
      { 'audit.log': ['at'], orders: ['id'], users: ['id', 'email'] },
    ]);
  });
});
