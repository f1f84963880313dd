/**
 * The populated side of the round trip (issue "populated database"): right after the base
 * upgrade an empty template copy is made and the tables are seeded; before each revision the
 * tables still empty are topped up and the copies of the tables' rows brought up to date; a
 * failed step gets an example row; after the downgrade the tables the revision locked are
 * compared with their copies. The runner
 * (run.ts) calls these hooks and keeps the driver; everything here is SQL on the server.
 */
import type pg from 'pg';
import type { Logger } from '../log.js';
import type { SchemaSnapshot } from '../schema/snapshot.js';
import { seedDatabase, type SeedResult } from '../seed/seed.js';
import { findDataExample } from './data-example.js';
import { compareRows, RowCopies, type DataCapture } from './data.js';
import { EmptyTemplate } from './empty-copy.js';
import type { RunTimings } from './steps.js';
import type { DataFailure, RevisionData, RoundTripSeed, RoundTripStep, SeedSummary } from './types.js';

export class PopulatedDatabase {
  template: EmptyTemplate | null = null;
  private summary: SeedSummary | null = null;
  /** Tables (sorted, joined) when the seeder last ran: a top-up is needed only when they changed. */
  private seededTables: string | null = null;
  /** Copies of the tables' rows, kept across revisions (data.ts). */
  private readonly copies = new RowCopies();

  constructor(
    private readonly seed: RoundTripSeed,
    private readonly log: Logger,
    private readonly timings: RunTimings,
  ) {}

  get seedSummary(): SeedSummary | null {
    return this.summary;
  }

  /** A rebuilt database gets synthetic rows again (not with --seed-rows 0). */
  get reseeds(): boolean {
    return this.seed.rows > 0;
  }

  /**
   * After the base upgrade: the empty template (CREATE DATABASE … TEMPLATE needs every other
   * session off the database, so `db` is closed meanwhile and a new one returned), then the rows.
   */
  async afterBaseUpgrade(
    db: pg.Client,
    urls: { databaseUrl: string; adminUrl: string },
    reconnect: () => Promise<pg.Client>,
  ): Promise<pg.Client> {
    const t0 = performance.now();
    const owner = (await db.query<{ u: string }>('select current_user as u')).rows[0]?.u ?? '';
    await db.end().catch(() => undefined);
    this.template = await EmptyTemplate.create(urls.adminUrl, urls.databaseUrl, owner);
    if (!this.template) this.log.debug('  no empty copy of the base: failures on data are not verified');
    const fresh = await reconnect();
    this.timings.time('templateMs', performance.now() - t0);
    const result = await seedDatabase(fresh, {
      rows: this.seed.rows,
      randomSeed: this.seed.randomSeed,
      userSql: this.seed.userSql,
      log: this.log,
    });
    this.summary = {
      rowsPerTable: this.seed.rows,
      randomSeed: this.seed.randomSeed,
      tables: {},
      unfilled: {},
      userSql: result.userSql,
      durationMs: 0,
    };
    this.add(result);
    const filled = result.tables.filter((t) => t.inserted > 0).length;
    const user = result.userSql
      ? `; ${result.userSql.file} ${result.userSql.ok ? 'ran' : `failed: ${result.userSql.error}`}`
      : '';
    this.log.info(
      `  seeded ${filled} table(s) with up to ${this.seed.rows} rows each in ${result.durationMs} ms${user}`,
    );
    return fresh;
  }

  /** Before a revision: fill the tables that are still empty (created by earlier revisions). */
  async beforeRevision(db: pg.Client, current: SchemaSnapshot | null): Promise<void> {
    if (this.seed.rows <= 0) return;
    const tables = current ? Object.keys(current.tables).sort().join('\u0000') : null;
    if (tables !== null && tables === this.seededTables) return;
    const result = await seedDatabase(db, {
      rows: this.seed.rows,
      randomSeed: this.seed.randomSeed,
      onlyEmpty: true,
      log: this.log,
    });
    this.add(result);
    this.copies.invalidate(result.tables.filter((t) => t.inserted > 0).map((t) => t.table));
    this.seededTables = tables;
  }

  /**
   * The rows of `tables` may have changed (a revision's steps locked them); null: of any table
   * (the database was rebuilt, or a step's locks are unknown).
   */
  invalidate(tables: Iterable<string> | null): void {
    this.copies.invalidate(tables);
  }

  async capture(db: pg.Client): Promise<{ capture: DataCapture; data: RevisionData }> {
    const t0 = performance.now();
    const capture = await this.copies.capture(db);
    this.timings.time('dataCaptureMs', performance.now() - t0);
    this.timings.time('dataTablesCopied', capture.copied);
    const rows: Record<string, number> = {};
    for (const [label, t] of capture.tables) if (t.rows > 0) rows[label] = t.rows;
    return { capture, data: { rows, failure: null, differences: [], compared: false } };
  }

  /** A failed step: one row that breaks it, and whether it succeeds on an empty copy. */
  async failure(
    db: pg.Client,
    phase: 'upgrade' | 'downgrade',
    step: RoundTripStep,
    succeedsOnEmpty: () => Promise<boolean | null>,
  ): Promise<DataFailure> {
    const t0 = performance.now();
    const example = await findDataExample(db, {
      error: step.error,
      detail: step.errorDetail ?? null,
      statement: step.failedStatement,
      statements: step.statements.filter((st) => !st.bookkeeping).map((st) => st.sql),
    });
    const empty = this.template ? await succeedsOnEmpty() : null;
    this.timings.time('verifyOnEmptyMs', performance.now() - t0);
    return { phase, succeedsOnEmpty: empty, example, detail: step.errorDetail ?? null };
  }

  /**
   * After a downgrade that ran statements: what it did not give back, in the tables `only`
   * (those the upgrade and downgrade may have changed; null: every table).
   */
  async compare(
    db: pg.Client,
    capture: DataCapture,
    data: RevisionData,
    only: ReadonlySet<string> | null,
  ): Promise<void> {
    const t0 = performance.now();
    data.differences = await compareRows(db, capture, only);
    // How many tables the comparisons looked at (bench/README.md, "populated").
    this.timings.time(
      'dataTablesCompared',
      only === null ? capture.tables.size : [...capture.tables.keys()].filter((t) => only.has(t)).length,
    );
    if (only === null) this.timings.count('dataComparedAll');
    data.compared = true;
    this.timings.time('dataCompareMs', performance.now() - t0);
  }

  async close(): Promise<void> {
    await this.template?.drop().catch(() => undefined);
  }

  private add(result: SeedResult): void {
    const summary = this.summary;
    if (!summary) return;
    for (const t of result.tables) {
      summary.tables[t.table] = (summary.tables[t.table] ?? 0) + t.inserted;
      if (t.error !== null && t.inserted === 0) summary.unfilled[t.table] = t.error;
      else if (t.inserted > 0) delete summary.unfilled[t.table];
    }
    summary.durationMs += result.durationMs;
    this.timings.time('seedMs', result.durationMs);
  }
}
