import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverProjects, uniqueNames } from '../../../src/github/discover.js';
import { silentLogger } from '../../../src/log.js';
import type { Monorepo } from '../../fixtures/monorepo/monorepo.js';
import { makeMonorepo } from '../../fixtures/monorepo/monorepo.js';

describe('uniqueNames', () => {
  it.each([
    [
      ['services/a/alembic.ini', 'services/b/alembic.ini'],
      ['a', 'b'],
    ],
    [['alembic.ini'], ['alembic']],
    [
      ['x/db/alembic.ini', 'y/db/alembic.ini'],
      ['x-db', 'y-db'],
    ],
    [
      ['svc/alembic.ini', 'svc/reporting.ini'],
      ['svc-alembic', 'svc-reporting'],
    ],
    [['a b/c:d/alembic.ini'], ['c-d']],
  ])('%j → %j', (configs, names) => {
    expect(uniqueNames(configs)).toEqual(names);
  });
});

describe('discoverProjects on a monorepo', () => {
  let mono: Monorepo;
  beforeAll(async () => {
    mono = await makeMonorepo();
  }, 60_000);
  afterAll(() => mono?.repo.cleanup());

  const discover = (base: string | null, onlyChanged = true) =>
    discoverProjects({
      projectDir: mono.repo.dir,
      alembicConfigs: ['services/*/alembic.ini'],
      base,
      onlyChanged,
      log: silentLogger,
    });

  it('lists only the projects whose migrations changed since the base', async () => {
    const d = await discover('main');
    expect(d.matrix).toEqual({
      include: [
        { project: 'services/billing/alembic.ini', name: 'billing' },
        { project: 'services/catalog/alembic.ini', name: 'catalog' },
      ],
    });
    expect(d.skipped).toEqual([
      { project: 'services/accounts/alembic.ini', reason: 'no migration changed since main' },
    ]);
  });

  it('counts an uncommitted env.py change as a change', async () => {
    mono.repo.writeFile('services/accounts/migrations/env.py', '# changed\n');
    try {
      const d = await discover('main');
      expect(d.matrix.include.map((e) => e.name)).toEqual(['accounts', 'billing', 'catalog']);
    } finally {
      mono.repo.git('checkout', '--', 'services/accounts/migrations/env.py');
    }
  });

  it.each([
    ['without a base', null, true],
    ['with only-changed off', 'main', false],
  ])('lists every project %s', async (_name, base, onlyChanged) => {
    const d = await discover(base, onlyChanged);
    expect(d.matrix.include.map((e) => e.name)).toEqual(['accounts', 'billing', 'catalog']);
    expect(d.skipped).toEqual([]);
  });

  it('lists nothing when the pull request changes no migration', async () => {
    const d = await discoverProjects({
      projectDir: mono.repo.dir,
      alembicConfigs: ['services/*/alembic.ini'],
      base: 'feature',
      onlyChanged: true,
      log: silentLogger,
    });
    expect(d.matrix.include).toEqual([]);
    expect(d.skipped).toHaveLength(3);
  });

  it('fails with one line on a base ref that does not exist', async () => {
    await expect(discover('no-such-branch')).rejects.toThrow(/base ref "no-such-branch" not found/);
  });
});
