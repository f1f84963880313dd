/**
 * Line annotations: one per active finding, on the revision file and line when known, titled
 * with the rule id. Ignored findings are not annotated (they are in the summary).
 */
import type { AnnotationProperties } from '@actions/core';
import type { Report } from '../report/model.js';

export interface AnnotationSink {
  error(message: string, properties: AnnotationProperties): void;
  warning(message: string, properties: AnnotationProperties): void;
}

export function annotate(report: Report, sink: AnnotationSink): number {
  let count = 0;
  for (const project of report.projects) {
    const placed = [...project.findings, ...project.revisions.flatMap((r) => r.findings)];
    for (const f of placed) {
      if (f.ignored) continue;
      const properties: AnnotationProperties = { title: f.rule };
      // Project-level findings without a file point at the alembic config.
      properties.file = f.file ?? project.config;
      if (f.file && f.line !== null && f.line >= 1) properties.startLine = f.line;
      const message = f.help ? `${f.message}\n${f.help}` : f.message;
      if (f.severity === 'error') sink.error(message, properties);
      else sink.warning(message, properties);
      count++;
    }
  }
  return count;
}
