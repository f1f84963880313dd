import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateProjects } from '../../../src/alembic/locate.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { makeAlembicRepo } from '../../helpers/git-repo.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mg-locate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, content = ''): void {
  const abs = path.join(dir, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

function mkdirs(...rels: string[]): void {
  for (const r of rels) mkdirSync(path.join(dir, r), { recursive: true });
}

const locate = (alembicConfigs: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  locateProjects({ projectDir: dir, alembicConfigs, env });

async function usageMessage(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MigrationGuardError);
    expect((e as MigrationGuardError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('locateProjects: config discovery', () => {
  it('reads alembic.ini in the project dir with %(here)s and defaults', async () => {
    mkdirs('migrations/versions');
    write(
      'alembic.ini',
      '[alembic]\nscript_location = %(here)s/migrations\nfile_template = %%(rev)s_%%(slug)s\n',
    );
    const [p] = await locate();
    expect(p).toMatchObject({
      id: 'alembic.ini',
      configPath: path.join(dir, 'alembic.ini'),
      configDir: dir,
      repoRoot: null,
      section: 'alembic',
      scriptLocation: path.join(dir, 'migrations'),
      versionLocations: [path.join(dir, 'migrations/versions')],
      recursiveVersionLocations: false,
      fileTemplate: '%(rev)s_%(slug)s',
      source: 'ini',
    });
  });

  it('interpolates other keys of the section and [DEFAULT], relative script_location', async () => {
    mkdirs('db/alembic/versions', 'db/extra');
    write(
      'alembic.ini',
      '[DEFAULT]\nroot = db\n\n[alembic]\nbase = %(here)s/%(root)s\nscript_location = db/alembic\nversion_locations = %(base)s/alembic/versions %(base)s/extra\n',
    );
    const [p] = await locate();
    expect(p?.scriptLocation).toBe(path.join(dir, 'db/alembic'));
    expect(p?.versionLocations).toEqual([path.join(dir, 'db/alembic/versions'), path.join(dir, 'db/extra')]);
  });

  it.each([
    ['os', 'a:b'],
    [':', 'a:b'],
    [';', 'a;b'],
    ['space', 'a b'],
    [',', 'a,b'],
    ['newline', '\n    a\n    b'],
    [null, 'a, b'],
  ])('version_path_separator = %s', async (sep, value) => {
    mkdirs('m/versions', 'a', 'b');
    write(
      'alembic.ini',
      `[alembic]\nscript_location = m\nversion_locations = ${value}\n${sep === null ? '' : `version_path_separator = ${sep}\n`}`,
    );
    const [p] = await locate();
    expect(p?.versionLocations).toEqual([path.join(dir, 'a'), path.join(dir, 'b')]);
  });

  it('resolves package:path script locations through the config dir and prepend_sys_path', async () => {
    mkdirs('src/myapp/db/migrations/versions');
    write('src/myapp/__init__.py');
    write(
      'alembic.ini',
      '[alembic]\nprepend_sys_path = . src\nscript_location = myapp.db:migrations\nrecursive_version_locations = true\n',
    );
    const [p] = await locate();
    expect(p?.scriptLocation).toBe(path.join(dir, 'src/myapp/db/migrations'));
    expect(p?.prependSysPath).toEqual([dir, path.join(dir, 'src')]);
    expect(p?.recursiveVersionLocations).toBe(true);
  });

  it('reads [tool.alembic] from pyproject.toml when there is no alembic.ini', async () => {
    mkdirs('migrations/versions', 'more');
    write(
      'pyproject.toml',
      '[project]\nname = "x"\n\n[tool.alembic]\nscript_location = "%(here)s/migrations"\nversion_locations = ["%(here)s/migrations/versions", "more"]\nprepend_sys_path = ["."]\n',
    );
    const [p] = await locate();
    expect(p).toMatchObject({
      id: 'pyproject.toml',
      source: 'pyproject',
      scriptLocation: path.join(dir, 'migrations'),
    });
    expect(p?.versionLocations).toEqual([path.join(dir, 'migrations/versions'), path.join(dir, 'more')]);
  });

  it('takes ALEMBIC_CONFIG before alembic.ini, explicit configs and globs before both', async () => {
    for (const svc of ['billing', 'users']) {
      mkdirs(`services/${svc}/migrations`);
      write(`services/${svc}/alembic.ini`, '[alembic]\nscript_location = %(here)s/migrations\n');
    }
    mkdirs('migrations');
    write('alembic.ini', '[alembic]\nscript_location = migrations\n');
    write('custom.ini', '[alembic]\nscript_location = migrations\n');
    expect((await locate()).map((p) => p.id)).toEqual(['alembic.ini']);
    expect((await locate([], { ALEMBIC_CONFIG: 'custom.ini' })).map((p) => p.id)).toEqual(['custom.ini']);
    const globbed = await locate(['services/*/alembic.ini'], { ALEMBIC_CONFIG: 'custom.ini' });
    expect(globbed.map((p) => p.id)).toEqual(['services/billing/alembic.ini', 'services/users/alembic.ini']);
    expect(globbed[0]?.scriptLocation).toBe(path.join(dir, 'services/billing/migrations'));
    expect((await locate(['**/alembic.ini'])).map((p) => p.id)).toHaveLength(3);
  });

  it('ids are relative to the git toplevel', async () => {
    const repo = await makeAlembicRepo({ scriptLocation: 'backend/migrations', ini: false });
    try {
      repo.writeFile('backend/alembic.ini', '[alembic]\nscript_location = %(here)s/migrations\n');
      const [p] = await locateProjects({ projectDir: path.join(repo.dir, 'backend'), alembicConfigs: [] });
      expect(p?.id).toBe('backend/alembic.ini');
      expect(p?.repoRoot).toBe(repo.dir);
    } finally {
      await repo.cleanup();
    }
  });
});

describe('locateProjects: errors are one-line usage errors', () => {
  it('no alembic.ini', async () => {
    expect(await usageMessage(locate())).toBe(
      `no alembic.ini in ${dir}: pass --config or run from the project directory`,
    );
  });

  it('script_location missing', async () => {
    write('alembic.ini', '[alembic]\nsqlalchemy.url = x\n');
    expect(await usageMessage(locate())).toMatch(/has no script_location/);
  });

  it('script_location does not exist', async () => {
    write('alembic.ini', '[alembic]\nscript_location = %(here)s/nope\n');
    expect(await usageMessage(locate())).toMatch(/script_location "[^"]+\/nope" \(.*\) does not exist/);
  });

  it('explicit config and glob that match nothing', async () => {
    expect(await usageMessage(locate(['x/alembic.ini']))).toMatch(/not found/);
    expect(await usageMessage(locate(['services/*/alembic.ini']))).toMatch(/matches no file/);
  });

  it('bad separator and undefined interpolation', async () => {
    mkdirs('m');
    write(
      'alembic.ini',
      '[alembic]\nscript_location = m\nversion_locations = a\nversion_path_separator = pipe\n',
    );
    expect(await usageMessage(locate())).toMatch(/version_path_separator "pipe"/);
    write('alembic.ini', '[alembic]\nscript_location = %(nope)s/m\n');
    expect(await usageMessage(locate())).toMatch(/%\(nope\)s refers to an option that is not set/);
  });
});
