/**
 * Finds the Alembic project(s) to check and reads their configuration the way alembic's
 * Config + ScriptDirectory.from_config do: [alembic] section, `%(here)s` interpolation,
 * script_location (path or `package:path`), version_locations with version_path_separator,
 * prepend_sys_path, recursive_version_locations and file_template. pyproject.toml's
 * [tool.alembic] (alembic ≥ 1.16) is read too.
 *
 * Relative paths are resolved against the config file's directory: alembic resolves them
 * against the working directory, and alembic is run from that directory in practice (the
 * driver runs there too).
 */
import { statSync } from 'node:fs';
import { glob, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { usageError } from '../errors.js';
import { gitToplevel } from './git.js';
import { getInterpolated, parseIni } from './ini.js';
import type { AlembicProject } from './types.js';

export type { AlembicProject } from './types.js';

export interface LocateOptions {
  projectDir: string;
  alembicConfigs: string[];
  env?: NodeJS.ProcessEnv;
}

export async function locateProjects(opts: LocateOptions): Promise<AlembicProject[]> {
  const projectDir = path.resolve(opts.projectDir);
  const env = opts.env ?? process.env;
  const configFiles = await findConfigFiles(projectDir, opts.alembicConfigs, env);
  const repoRoot = await gitToplevel(projectDir);
  const projects = await Promise.all(configFiles.map((f) => readProject(f, projectDir, repoRoot)));
  return projects.sort((a, b) => a.id.localeCompare(b.id));
}

const GLOB_CHARS = /[*?[{]/;

async function findConfigFiles(
  projectDir: string,
  explicit: string[],
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const wanted = explicit.map((s) => s.trim()).filter((s) => s !== '');
  if (wanted.length > 0) {
    const found = new Set<string>();
    for (const pattern of wanted) {
      if (GLOB_CHARS.test(pattern)) {
        const matches: string[] = [];
        for await (const m of glob(pattern, { cwd: projectDir })) matches.push(path.resolve(projectDir, m));
        if (matches.length === 0) {
          throw usageError(`alembic config pattern "${pattern}" matches no file in ${projectDir}`);
        }
        matches.sort().forEach((m) => found.add(m));
      } else {
        const file = path.resolve(projectDir, pattern);
        if (!isFile(file))
          throw usageError(`alembic config ${file} not found: fix --config / alembic-config`);
        found.add(file);
      }
    }
    return [...found];
  }
  const fromEnv = env.ALEMBIC_CONFIG?.trim();
  if (fromEnv) {
    const file = path.resolve(projectDir, fromEnv);
    if (!isFile(file))
      throw usageError(`ALEMBIC_CONFIG points at ${file}, which does not exist: fix or unset it`);
    return [file];
  }
  const ini = path.join(projectDir, 'alembic.ini');
  if (isFile(ini)) return [ini];
  const pyproject = path.join(projectDir, 'pyproject.toml');
  if (isFile(pyproject) && (await readToolAlembic(pyproject)) !== null) return [pyproject];
  throw usageError(`no alembic.ini in ${projectDir}: pass --config or run from the project directory`);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Raw settings, before paths are resolved; both sources produce this. */
interface RawSettings {
  scriptLocation: string | null;
  versionLocations: string[] | null;
  prependSysPath: string[];
  recursive: boolean;
  fileTemplate: string | null;
}

async function readProject(
  configPath: string,
  projectDir: string,
  repoRoot: string | null,
): Promise<AlembicProject> {
  const configDir = path.dirname(configPath);
  const shown = path.relative(projectDir, configPath) || configPath;
  let source: AlembicProject['source'];
  let raw: RawSettings;
  if (path.basename(configPath) === 'pyproject.toml') {
    const tool = await readToolAlembic(configPath);
    if (!tool) throw usageError(`${shown} has no [tool.alembic] table: add one or pass an alembic.ini`);
    source = 'pyproject';
    raw = settingsFromToml(tool, configDir, shown);
  } else {
    source = 'ini';
    raw = await settingsFromIni(configPath, configDir, shown);
    // alembic ≥ 1.16 lets the ini keep logging/url and pyproject.toml hold the script settings.
    if (raw.scriptLocation === null) {
      const pyproject = path.join(configDir, 'pyproject.toml');
      const tool = isFile(pyproject) ? await readToolAlembic(pyproject) : null;
      if (tool) {
        raw = settingsFromToml(tool, configDir, path.relative(projectDir, pyproject));
        source = 'pyproject';
      }
    }
  }
  if (raw.scriptLocation === null || raw.scriptLocation.trim() === '') {
    throw usageError(
      `${shown}: [alembic] has no script_location: set it (e.g. script_location = %(here)s/alembic)`,
    );
  }
  const prependSysPath = raw.prependSysPath.map((p) => path.resolve(configDir, p));
  const scriptLocation = resolveLocation(raw.scriptLocation.trim(), configDir, prependSysPath);
  if (!isDir(scriptLocation)) {
    throw usageError(
      `${shown}: script_location "${raw.scriptLocation.trim()}" (${scriptLocation}) does not exist: fix script_location`,
    );
  }
  const versionLocations = raw.versionLocations
    ? raw.versionLocations.map((v) => resolveLocation(v.trim(), configDir, prependSysPath))
    : [path.join(scriptLocation, 'versions')];
  const idBase = repoRoot ?? projectDir;
  return {
    id: toPosix(path.relative(idBase, configPath)),
    configPath,
    configDir,
    repoRoot,
    section: 'alembic',
    scriptLocation,
    versionLocations: [...new Set(versionLocations)],
    recursiveVersionLocations: raw.recursive,
    prependSysPath,
    fileTemplate: raw.fileTemplate,
    source,
  };
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * `package:path` → the package's directory (found under the config dir or a prepend_sys_path
 * entry, as a regular or namespace package) joined with path; anything else is a path.
 */
function resolveLocation(value: string, configDir: string, sysPath: string[]): string {
  const pkg = /^([A-Za-z_][\w.]*):(.*)$/.exec(value);
  if (pkg && !path.isAbsolute(value)) {
    const parts = (pkg[1] ?? '').split('.');
    for (const base of [configDir, ...sysPath]) {
      const dir = path.join(base, ...parts);
      if (isDir(dir)) return path.resolve(dir, pkg[2] ?? '');
    }
    // Not found locally (an installed package): report the path the user would expect.
    return path.resolve(configDir, ...parts, pkg[2] ?? '');
  }
  return path.resolve(configDir, value);
}

const LEGACY_SPLIT = /, *| +/;
const SEPARATORS: Readonly<Record<string, string>> = {
  os: path.delimiter,
  space: ' ',
  newline: '\n',
  ',': ',',
  ':': ':',
  ';': ';',
};

/** Splits version_locations / prepend_sys_path like alembic (version_path_separator / path_separator). */
export function splitLocations(
  value: string,
  separator: string | null,
  legacy: RegExp,
  file: string,
): string[] {
  if (separator === null)
    return value
      .split(legacy)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const sep = SEPARATORS[separator.trim()];
  if (sep === undefined) {
    throw usageError(
      `${file}: version_path_separator "${separator}" is not one of ${Object.keys(SEPARATORS).join(', ')}`,
    );
  }
  return value
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function settingsFromIni(configPath: string, configDir: string, shown: string): Promise<RawSettings> {
  const sections = parseIni(await readFile(configPath, 'utf8'), shown);
  if (!sections.has('alembic'))
    throw usageError(`${shown} has no [alembic] section: add one with script_location`);
  const get = (key: string) => getInterpolated(sections, 'alembic', key, { here: configDir }, shown);
  const separator = get('version_path_separator');
  // alembic ≥ 1.16 names it path_separator and applies it to prepend_sys_path too.
  const pathSeparator = get('path_separator');
  const versions = get('version_locations');
  const prepend = get('prepend_sys_path');
  return {
    scriptLocation: get('script_location'),
    versionLocations: versions
      ? splitLocations(versions, pathSeparator ?? separator, LEGACY_SPLIT, shown)
      : null,
    prependSysPath: prepend ? splitLocations(prepend, pathSeparator, /, *| +|:/, shown) : [],
    recursive: isTrue(get('recursive_version_locations')),
    fileTemplate: get('file_template'),
  };
}

function isTrue(v: string | null): boolean {
  return v !== null && ['true', '1', 'yes', 'on'].includes(v.trim().toLowerCase());
}

async function readToolAlembic(file: string): Promise<Record<string, unknown> | null> {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw usageError(`${file}: not valid TOML: ${msg}`);
  }
  const tool = doc.tool;
  if (typeof tool !== 'object' || tool === null) return null;
  const alembic = (tool as Record<string, unknown>).alembic;
  return typeof alembic === 'object' && alembic !== null && !Array.isArray(alembic)
    ? (alembic as Record<string, unknown>)
    : null;
}

function settingsFromToml(tool: Record<string, unknown>, configDir: string, shown: string): RawSettings {
  const here = (v: string) => v.replaceAll('%(here)s', configDir);
  const str = (key: string): string | null => {
    const v = tool[key];
    if (v === undefined) return null;
    if (typeof v !== 'string') throw usageError(`${shown}: [tool.alembic] ${key} must be a string`);
    return here(v);
  };
  const list = (key: string): string[] | null => {
    const v = tool[key];
    if (v === undefined) return null;
    if (typeof v === 'string') return splitLocations(here(v), null, LEGACY_SPLIT, shown);
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw usageError(`${shown}: [tool.alembic] ${key} must be a list of paths`);
    }
    return (v as string[]).map(here);
  };
  const recursive = tool.recursive_version_locations;
  return {
    scriptLocation: str('script_location'),
    versionLocations: list('version_locations'),
    prependSysPath: list('prepend_sys_path') ?? [],
    recursive: recursive === true || (typeof recursive === 'string' && isTrue(recursive)),
    fileTemplate: str('file_template'),
  };
}
