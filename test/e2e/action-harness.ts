/**
 * Runs the built action as GitHub runs it, for the e2e tests of the scale features (matrix,
 * monorepo): `node <dist>/index.js` with INPUT_* (every action.yml default filled in as the
 * runner does), GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_API_URL
 * pointing at the fake GitHub API. The bundle is <repo>/dist unless MIGRATION_GUARD_DIST names
 * another build (`node scripts/build.mjs /tmp/my-dist`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const root = path.resolve(import.meta.dirname, '../..');
export const dist = path.resolve(process.env.MIGRATION_GUARD_DIST ?? path.join(root, 'dist'));
export const TOKEN = 'ghs_faketoken';

const actionYml = parseYaml(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};

export function assertBundle(): void {
  if (!existsSync(path.join(dist, 'index.js'))) {
    throw new Error(`no bundle at ${dist}: run "node scripts/build.mjs ${dist}" or set MIGRATION_GUARD_DIST`);
  }
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** RUNNER_TEMP of this run (the default report lands here). */
  runnerTemp: string;
}

export interface RunSpec {
  workspace: string;
  apiUrl: string;
  eventName: string;
  payload: unknown;
  inputs?: Record<string, string>;
  /** Extra variables of the runner's environment (e.g. the runtime tokens a runner sets). */
  env?: Record<string, string>;
}

export class ActionRunner {
  private readonly dirs: string[] = [];

  async run(spec: RunSpec): Promise<ActionRun> {
    const dir = mkdtempSync(path.join(tmpdir(), 'mg-e2e-run-'));
    this.dirs.push(dir);
    const eventPath = path.join(dir, 'event.json');
    const outputPath = path.join(dir, 'output.txt');
    const summaryPath = path.join(dir, 'summary.md');
    writeFileSync(eventPath, JSON.stringify(spec.payload));
    writeFileSync(outputPath, '');
    writeFileSync(summaryPath, '');
    const inputs: Record<string, string> = {};
    for (const [name, def] of Object.entries(actionYml.inputs)) {
      if (def.default !== undefined)
        inputs[name] = def.default === '${{ github.token }}' ? TOKEN : def.default;
    }
    Object.assign(inputs, spec.inputs);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? dir,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: spec.workspace,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_API_URL: spec.apiUrl,
      GITHUB_EVENT_NAME: spec.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: 'm'.repeat(40),
      GITHUB_RUN_ID: '4242',
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: dir,
    };
    // A directory the test's revisions may write in the sandbox (src/sandbox/).
    if (process.env.MIGRATION_GUARD_SANDBOX_SHARE)
      env.MIGRATION_GUARD_SANDBOX_SHARE = process.env.MIGRATION_GUARD_SANDBOX_SHARE;
    for (const [name, value] of Object.entries(inputs))
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    Object.assign(env, spec.env);
    const child = spawn(process.execPath, [path.join(dist, 'index.js')], {
      cwd: spec.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
      summary: readFileSync(summaryPath, 'utf8'),
      runnerTemp: dir,
    };
  }

  cleanup(): void {
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<DELIM\nvalue\nDELIM`. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

/** A pull_request payload for PR `number` of acme/shop. */
export function prPayload(number: number, baseSha: string, headSha: string) {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      base: { sha: baseSha, ref: 'main', repo: { full_name: 'acme/shop' } },
      head: { sha: headSha, ref: 'feature', repo: { full_name: 'acme/shop' } },
    },
    repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } },
  };
}
