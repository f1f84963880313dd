/**
 * The secrets a run takes from its environment at start-up (src/scrub.ts
 * `secretsOfEnvironment`) and the hand-over of every registered secret to the runner
 * (src/secrets.ts `onSecretRegistered`, which the action wires to `::add-mask::`).
 */
import { describe, expect, it } from 'vitest';
import { maskPasswords } from '../../../src/scrub.js';
import { onSecretRegistered, registerSecret, secretsOfEnvironment } from '../../../src/secrets.js';

describe('secretsOfEnvironment', () => {
  const env = {
    GITHUB_TOKEN: 'ghs_workflowToken000000000001',
    GH_TOKEN: 'gho_cliToken00000000000000002',
    ACTIONS_RUNTIME_TOKEN: 'eyJruntime.token.0000000003',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'eyJoidc.request.0000000004',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/oidc?x=1',
    'INPUT_GITHUB-TOKEN': 'ghs_inputToken0000000000005\n',
    'INPUT_DATABASE-URL': 'postgresql://admin:Adm1n%40pw@db:5432/app',
    'INPUT_DEPLOY-KEY': 'key-material-6',
    'INPUT_FAIL-ON': 'warning',
    'INPUT_DATABASE-URL-ENV': 'DATABASE_URL',
    PGPASSWORD: 'pgpass7',
    GITHUB_REPOSITORY: 'acme/shop',
    HOME: '/home/runner',
    'INPUT_SHORT-TOKEN': 'ab',
  };

  it('takes every token, secret-named input, URL password and PGPASSWORD, and nothing else', () => {
    expect(new Set(secretsOfEnvironment(env))).toEqual(
      new Set([
        'ghs_workflowToken000000000001',
        'gho_cliToken00000000000000002',
        'eyJruntime.token.0000000003',
        'eyJoidc.request.0000000004',
        'ghs_inputToken0000000000005',
        'Adm1n%40pw',
        'Adm1n@pw',
        'key-material-6',
        'pgpass7',
      ]),
    );
  });

  it('a long token is masked even glued to a name; a short password only standing alone', () => {
    registerSecret('ghs_glued0000000000000000000009');
    registerSecret('shop');
    expect(maskPasswords('CREATE TABLE xghs_glued0000000000000000000009y (id int)')).toBe(
      'CREATE TABLE x***y (id int)',
    );
    expect(maskPasswords('shop_test and shop')).toBe('shop_test and ***');
  });
});

describe('onSecretRegistered', () => {
  it('hands over the secrets registered before and after, each form once', () => {
    registerSecret('before pw');
    const seen: string[] = [];
    onSecretRegistered((s) => seen.push(s));
    registerSecret('after/pw');
    registerSecret('after/pw');
    expect(seen).toContain('before pw');
    expect(seen).toContain('before%20pw');
    expect(seen.filter((s) => s === 'after/pw')).toHaveLength(1);
    expect(seen).toContain('after%2Fpw');
  });
});
