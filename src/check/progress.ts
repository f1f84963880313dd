/**
 * What a run knows while it runs, so a cancelled run (SIGINT/SIGTERM) can still write the
 * report it was asked for: every project's pending revisions and the round-trip outcome of
 * each revision as soon as it is known. The partial report holds the checked revisions'
 * steps and says which revisions were not checked; rules do not run on it.
 */
import type { StaticAnalysis } from '../alembic/analyze.js';
import type { AlembicProject } from '../alembic/locate.js';
import type { Config } from '../config.js';
import { TOOL_NAME, TOOL_VERSION } from '../meta.js';
import type { ProjectReport, Report, RevisionReport } from '../report/model.js';
import { REPORT_VERSION, summarize } from '../report/model.js';
import type { RevisionRoundTrip } from '../roundtrip/run.js';

interface ProjectProgress {
  project: AlembicProject;
  analysis: StaticAnalysis;
  /** Round-trip outcomes by revision id, in the order they finished. */
  done: Map<string, RevisionRoundTrip>;
  database: ProjectReport['database'];
}

export class CheckProgress {
  private readonly started = performance.now();
  private readonly projects = new Map<string, ProjectProgress>();

  analysed(project: AlembicProject, analysis: StaticAnalysis): void {
    this.projects.set(project.id, { project, analysis, done: new Map(), database: null });
  }

  databaseReady(projectId: string, database: NonNullable<ProjectReport['database']>): void {
    const entry = this.projects.get(projectId);
    if (entry) entry.database = database;
  }

  revisionDone(projectId: string, outcome: RevisionRoundTrip): void {
    this.projects.get(projectId)?.done.set(outcome.id, outcome);
  }

  /** The report of what finished before `signal` arrived during `during`. */
  partialReport(config: Config, signal: string, during: string): Report {
    const notChecked: string[] = [];
    const projects: ProjectReport[] = [...this.projects.values()].map(
      ({ project, analysis, done, database }) => {
        const revisions: RevisionReport[] = analysis.pending.map((id) => {
          const parsed = analysis.parsed.get(id);
          const rt = done.get(id);
          if (!rt || rt.notRun) notChecked.push(`${project.id}: ${id}`);
          // Why this revision has no round trip: its own reason, or the interruption.
          const notCheckedReason = rt ? (rt.notRun ?? null) : `the run was interrupted (${signal})`;
          return {
            id,
            downRevisions: parsed?.downRevisions ?? [],
            file: parsed?.relFile ?? '',
            message: parsed?.message ?? null,
            pending: true,
            steps: rt?.steps ?? [],
            schemaRestored: rt ? rt.schemaRestored : null,
            findings: [],
            durationMs: rt ? Math.round(rt.durationMs) : undefined,
            ...(notCheckedReason ? { notChecked: notCheckedReason.replace(/^not (run|checked): /, '') } : {}),
          };
        });
        return {
          id: project.id,
          config: project.id,
          base: config.base,
          heads: analysis.heads,
          baseHeads: analysis.baseHeads,
          revisions,
          findings: [],
          skipped: null,
          mode: database ? 'full' : 'static',
          database,
        };
      },
    );
    return {
      version: REPORT_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      projects,
      summary: summarize(projects, Math.round(performance.now() - this.started)),
      interrupted: { signal, during, notChecked },
    };
  }
}
