import { describe, expect, it } from 'vitest';
import { missingRights } from '../../../src/database/admin.js';
import { parseServerUrl, urlWithDatabase } from '../../../src/database/url.js';
import { isMigrationGuardError } from '../../../src/errors.js';
import { parseMigrationRole } from '../../../src/config.js';
import {
  isSecretVariable,
  knownSecrets,
  registerSecret,
  untrustedEnvironment,
} from '../../../src/secrets.js';

describe('untrustedEnvironment: what the pull request’s Python sees', () => {
  const runnerEnv: NodeJS.ProcessEnv = {
    PATH: '/usr/lib/postgresql/15/bin:/usr/bin',
    HOME: '/home/runner',
    LANG: 'C.UTF-8',
    APP_SETTING: 'kept',
    'INPUT_GITHUB-TOKEN': 'ghs_token',
    'INPUT_DATABASE-URL': 'postgresql://admin:adm1n-pw@db:5432/postgres',
    INPUT_PYTHON: 'python',
    ACTIONS_RUNTIME_TOKEN: 'rt',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
    ACTIONS_RUNTIME_URL: 'https://example.invalid/',
    GITHUB_TOKEN: 'ghs_x',
    GH_TOKEN: 'gho_x',
    GITHUB_OUTPUT: '/tmp/out',
    GITHUB_ENV: '/tmp/env',
    GITHUB_STATE: '/tmp/state',
    GITHUB_PATH: '/tmp/path',
    GITHUB_STEP_SUMMARY: '/tmp/summary',
    GITHUB_REPOSITORY: 'o/r',
    PGPASSWORD: 'adm1n-pw',
    ADMIN_DSN: "host=db user=admin password='adm1n-pw' dbname=postgres",
    MY_DB: 'postgresql://admin:adm1n-pw@db:5432/app',
    POSTGRES_PASSWORD: 'postgres',
    DATABASE_URL: 'postgresql://admin:adm1n-pw@db:5432/app',
  };

  it('drops inputs, runner tokens, workflow files and every variable carrying a known password', () => {
    registerSecret('adm1n-pw');
    registerSecret('postgres');
    const env = untrustedEnvironment(runnerEnv, {
      name: 'DATABASE_URL',
      url: 'postgresql://migration_guard_ab:rolepw@db:5432/migration_guard_ab',
    });
    expect(Object.keys(env).sort()).toEqual(
      ['APP_SETTING', 'DATABASE_URL', 'GITHUB_REPOSITORY', 'HOME', 'LANG', 'PATH'].sort(),
    );
    // A short password is matched as a password, not as any substring (PATH keeps "postgres").
    expect(env.PATH).toBe(runnerEnv.PATH);
    expect(env.DATABASE_URL).toBe('postgresql://migration_guard_ab:rolepw@db:5432/migration_guard_ab');
    expect(JSON.stringify(env)).not.toContain('adm1n-pw');
  });

  it('names secret variables case-insensitively', () => {
    expect(isSecretVariable('input_github-token')).toBe(true);
    expect(isSecretVariable('ACTIONS_CACHE_URL')).toBe(true);
    expect(isSecretVariable('GITHUB_SHA')).toBe(false);
  });

  it('keeps secrets longest first, with their URL-encoded form', () => {
    registerSecret('a b@c');
    expect(knownSecrets()).toContain('a%20b%40c');
    const lengths = knownSecrets().map((s) => s.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });
});

describe('admin rights and the migration role', () => {
  const base = { user: 'app', superuser: false, createdb: false, createrole: false };
  it('restricted needs CREATEDB and CREATEROLE unless superuser; superuser mode needs CREATEDB', () => {
    expect(missingRights(base, 'restricted')).toEqual(['CREATEDB', 'CREATEROLE']);
    expect(missingRights({ ...base, createdb: true }, 'restricted')).toEqual(['CREATEROLE']);
    expect(missingRights({ ...base, createdb: true, createrole: true }, 'restricted')).toEqual([]);
    expect(missingRights({ ...base, superuser: true }, 'restricted')).toEqual([]);
    expect(missingRights(base, 'superuser')).toEqual(['CREATEDB']);
  });

  it('--migration-role accepts restricted and superuser only (exit 2 otherwise)', () => {
    expect(parseMigrationRole('superuser', '--migration-role')).toBe('superuser');
    expect(parseMigrationRole('restricted', '--migration-role')).toBe('restricted');
    let error: unknown;
    try {
      parseMigrationRole('admin', '--migration-role');
    } catch (e) {
      error = e;
    }
    expect(isMigrationGuardError(error) && error.exitCode).toBe(2);
    expect((error as Error).message).toBe(
      '--migration-role must be one of restricted, superuser (got "admin")',
    );
  });
});

describe('database-url without a database name', () => {
  it('is recognised, so admin work goes to the maintenance database', () => {
    expect(parseServerUrl('postgresql://u:p@db:5432').database).toBeNull();
    expect(parseServerUrl('postgresql://u:p@db:5432/').database).toBeNull();
    expect(parseServerUrl('postgres://u:p@db/app').database).toBe('app');
  });

  it('builds the migration role URL on the same server', () => {
    const { url } = parseServerUrl('postgresql://admin:s%40cret@db:5432/app?sslmode=require');
    expect(urlWithDatabase(url, 'migration_guard_1', { user: 'migration_guard_1', password: 'abc' })).toBe(
      'postgresql://migration_guard_1:abc@db:5432/migration_guard_1?sslmode=require',
    );
  });
});
