/**
 * The query that writes the --table-stats file: one JSON object of every table's (and
 * materialized view's) estimated row count and size, produced on production or a replica with
 * psql. `check --help` and the README (a block generated from here) print it; a test runs the
 * README's text on a real server and feeds the output to --table-stats.
 *
 * Choices the output depends on:
 * - tables in `public` are keyed by their bare name, others as `schema.table`, as the round
 *   trip names them in `statements[].observed`;
 * - `rows` is the planner's estimate (`reltuples`, kept by autovacuum/ANALYZE: no scan of the
 *   table), left out when the table was never analysed (PostgreSQL 14+ says -1) so the estimate
 *   falls back to `bytes` instead of assuming an empty table;
 * - `coalesce(…, '{}')` gives `{}` rather than an empty line on a database without tables;
 * - no `!` in the text, so it pastes into an interactive shell's double quotes unchanged.
 */
// Lines of at most 64 characters: the help prints them unwrapped, indented, in 72 columns.
export const TABLE_STATS_SQL = [
  'select coalesce(json_object_agg(',
  "    case when n.nspname = 'public' then c.relname",
  "         else n.nspname || '.' || c.relname end,",
  '    json_strip_nulls(json_build_object(',
  "      'rows', case when c.reltuples >= 0",
  '                   then c.reltuples::bigint end,',
  "      'bytes', pg_table_size(c.oid)))), '{}')",
  'from pg_class c join pg_namespace n on n.oid = c.relnamespace',
  "where c.relkind in ('r', 'p', 'm')",
  "  and n.nspname <> 'information_schema'",
  "  and left(n.nspname, 3) <> 'pg_'",
].join('\n');

/** How to run it: psql without ~/.psqlrc (-X), unaligned tuples only (-At), into the file. */
export const TABLE_STATS_COMMAND = 'psql "$PRODUCTION_URL" -XAt -f table-stats.sql > table-stats.json';
