/**
 * A reader for the INI subset alembic's Config uses: Python's ConfigParser with
 * BasicInterpolation and the default `here` (directory of the file). Keys are case-insensitive,
 * `=` or `:` delimit, `#`/`;` start full-line comments, indented lines continue a value.
 */
import { usageError } from '../errors.js';

export type IniSections = Map<string, Map<string, string>>;

export function parseIni(text: string, file: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    const stripped = line.trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
      // ConfigParser keeps empty lines inside multi-line values; trailing ones are trimmed below.
      if (stripped === '' && current && lastKey !== null) {
        current.set(lastKey, `${current.get(lastKey) ?? ''}\n`);
      }
      return;
    }
    if (/^\s/.test(line) && current && lastKey !== null) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${stripped}`);
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(stripped);
    if (header) {
      const name = header[1] ?? '';
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      lastKey = null;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!kv || !current) {
      throw usageError(`${file}:${i + 1}: cannot read this line as "key = value" inside a [section]`);
    }
    lastKey = (kv[1] ?? '').toLowerCase();
    current.set(lastKey, kv[2] ?? '');
  });
  for (const section of sections.values()) {
    for (const [k, v] of section) section.set(k, v.replace(/\n+$/, '').replace(/^\n+/, ''));
  }
  return sections;
}

/**
 * Returns one option with `%(name)s` interpolated from the same section, then [DEFAULT], then
 * `defaults` (alembic passes `here`); `%%` is a literal `%`.
 */
export function getInterpolated(
  sections: IniSections,
  section: string,
  key: string,
  defaults: Readonly<Record<string, string>>,
  file: string,
): string | null {
  const lookup = (name: string): string | undefined =>
    sections.get(section)?.get(name) ?? sections.get('DEFAULT')?.get(name) ?? defaults[name];
  const raw = lookup(key.toLowerCase());
  if (raw === undefined) return null;
  const expand = (value: string, depth: number): string => {
    if (depth > 10) throw usageError(`${file}: [${section}] ${key}: interpolation nests too deeply`);
    return value.replace(/%(%|\(([^)]+)\)s)/g, (_m, whole: string, name: string | undefined) => {
      if (whole === '%') return '%';
      const ref = lookup((name ?? '').toLowerCase());
      if (ref === undefined) {
        throw usageError(`${file}: [${section}] ${key}: %(${name})s refers to an option that is not set`);
      }
      return expand(ref, depth + 1);
    });
  };
  return expand(raw, 0);
}
