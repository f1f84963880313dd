/**
 * The --table-stats query as the README prints it ("Production-size lock estimates"), read from
 * the README's text (not from the constant it is generated from), and run the way the README
 * says: its psql command line, in bash, in a directory holding the query as table-stats.sql.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const readmePath = path.resolve(import.meta.dirname, '..', '..', 'README.md');

/** The fenced blocks of the README section: the SQL, then the command that writes the file. */
export function readmeTableStatsQuery(): { sql: string; command: string } {
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf('## Production-size lock estimates');
  if (start < 0) throw new Error('README has no "Production-size lock estimates" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const sql = /```sql\n([\s\S]*?)\n```/.exec(section)?.[1];
  const command = /```sh\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!sql || !command) throw new Error('the README section has no ```sql or ```sh block');
  return { sql, command };
}

/**
 * Writes the README's query to `dir`/table-stats.sql and runs the README's command there with
 * PRODUCTION_URL set; returns the file it wrote, or throws with psql's stderr.
 */
export function runReadmeTableStats(dir: string, productionUrl: string): string {
  const { sql, command } = readmeTableStatsQuery();
  if (!command.includes('table-stats.sql') || !command.includes('> table-stats.json'))
    throw new Error(`the README command does not read table-stats.sql into table-stats.json: ${command}`);
  writeFileSync(path.join(dir, 'table-stats.sql'), `${sql}\n`);
  const r = spawnSync('bash', ['-c', command], {
    cwd: dir,
    env: { ...process.env, PRODUCTION_URL: productionUrl },
    encoding: 'utf8',
  });
  if (r.status !== 0 || r.stderr !== '')
    throw new Error(`the README command failed (exit ${r.status}): ${r.stderr}`);
  return path.join(dir, 'table-stats.json');
}
