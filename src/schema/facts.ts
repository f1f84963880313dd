/**
 * The small part of a schema snapshot the SQL rules need about existing tables: which column
 * lists are indexed (foreign-key-without-index) and each column's type (column-type-change
 * tells safe widenings). Kept per revision instead of the whole snapshot, so memory stays
 * flat on long histories.
 */
import type { SchemaSnapshot } from './snapshot.js';

export interface SchemaFacts {
  /** table → column lists of its indexes (leading column first). */
  indexes: Record<string, string[][]>;
  /** table → column → format_type(). */
  columnTypes: Record<string, Record<string, string>>;
  /** index name (schema-qualified unless public) → its table and columns. */
  indexesByName?: Record<string, { table: string; columns: string[] }>;
}

/** `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (a, b) [INCLUDE …] [WHERE …]` */
const INDEX_DEF = /\bON\s+(?:ONLY\s+)?(\S+)\s+USING\s+\w+\s+\((.*)\)/i;

export function indexColumnsOf(definition: string): { table: string; columns: string[] } | null {
  const m = INDEX_DEF.exec(definition);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const table = m[1].replace(/^public\./, '').replace(/"/g, '');
  const body = cutAtTopLevelParen(m[2]);
  const columns = splitTopLevel(body).map(
    (c) =>
      c
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .split(/\s+/)[0] ?? '',
  );
  return { table, columns };
}

export function schemaFacts(snapshot: SchemaSnapshot): SchemaFacts {
  const indexes: Record<string, string[][]> = {};
  const indexesByName: Record<string, { table: string; columns: string[] }> = {};
  for (const [name, definition] of Object.entries(snapshot.indexes)) {
    const parsed = indexColumnsOf(definition);
    if (!parsed) continue;
    (indexes[parsed.table] ??= []).push(parsed.columns);
    indexesByName[name] = parsed;
  }
  const columnTypes: Record<string, Record<string, string>> = {};
  for (const [key, column] of Object.entries(snapshot.columns)) {
    const dot = key.lastIndexOf('.');
    if (dot < 0) continue;
    (columnTypes[key.slice(0, dot)] ??= {})[key.slice(dot + 1)] = column.type;
  }
  return { indexes, columnTypes, indexesByName };
}

/** The regex captured up to the last `)`; keep only the column list's own parenthesis. */
function cutAtTopLevelParen(s: string): string {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') {
      if (depth === 0) return s.slice(0, i);
      depth--;
    }
  }
  return s;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
