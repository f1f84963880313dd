/**
 * src/alembic/python.ts running src/driver/resolve_revisions.py for real on both Python stacks:
 * computed identifiers (from a helper module in the project dir), tuples, labels, the docstring,
 * a revision that prints to stdout, one that fails to import (recorded with its line) and one
 * that calls sys.exit(). The analyze path through it is in analyze.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveScriptPath, resolveWithPython } from '../../../src/alembic/python.js';
import type { AlembicProject } from '../../../src/alembic/types.js';
import { testPythons } from '../roundtrip/fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mg-resolve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const versions = path.join(dir, 'migrations', 'versions');
mkdirSync(versions, { recursive: true });
writeFileSync(path.join(dir, 'rev_ids.py'), 'PREFIX = "c3"\n');
const files = {
  computed: path.join(versions, 'c3_computed.py'),
  merge: path.join(versions, 'd4_merge.py'),
  broken: path.join(versions, 'e5_broken.py'),
  exits: path.join(versions, 'f6_exits.py'),
};
writeFileSync(
  files.computed,
  '"""add users"""\nfrom rev_ids import PREFIX\nprint("chatty revision on stdout")\nrevision = PREFIX + "000003"\ndown_revision = "b2000002"\nbranch_labels = ("feature",)\ndepends_on = None\n',
);
writeFileSync(
  files.merge,
  'revision = "".join(["d4", "000004"])\ndown_revision = ("c3000003", "b2000009")\nbranch_labels = None\ndepends_on = "a1000001"\n',
);
writeFileSync(files.broken, 'revision = "e5" + "000005"\nimport not_a_module_anywhere\n');
writeFileSync(files.exits, 'import sys\nsys.exit(3)\n');

const project = { configDir: dir, prependSysPath: [] } as unknown as AlembicProject;

it('finds resolve_revisions.py in src/driver/ when running from sources', () => {
  expect(resolveScriptPath()).toBe(
    path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'driver', 'resolve_revisions.py'),
  );
});

describe.each(testPythons())('resolve_revisions.py with $name', ({ argv }) => {
  it('reads computed identifiers, records import errors and exits per file', async () => {
    const resolved = await resolveWithPython(project, argv, Object.values(files));
    expect(resolved).toEqual([
      {
        file: files.computed,
        revision: 'c3000003',
        downRevisions: ['b2000002'],
        branchLabels: ['feature'],
        dependsOn: [],
        docstring: 'add users',
        error: null,
      },
      {
        file: files.merge,
        revision: 'd4000004',
        downRevisions: ['c3000003', 'b2000009'],
        branchLabels: [],
        dependsOn: ['a1000001'],
        docstring: null,
        error: null,
      },
      expect.objectContaining({
        file: files.broken,
        revision: null,
        error: expect.stringMatching(
          /^ModuleNotFoundError: No module named 'not_a_module_anywhere' \(line 2\)$/,
        ),
      }),
      expect.objectContaining({ file: files.exits, revision: null, error: 'SystemExit: 3 (line 2)' }),
    ]);
  }, 60_000);

  it("reports a missing interpreter as every file's error", async () => {
    const resolved = await resolveWithPython(project, ['/nonexistent/python3'], [files.merge]);
    expect(resolved).toEqual([
      expect.objectContaining({
        file: files.merge,
        error: expect.stringMatching(/^cannot run \/nonexistent\/python3/),
      }),
    ]);
  });
});
