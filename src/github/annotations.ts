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

/**
 * GitHub shows 10 error and 10 warning annotations per step and drops the rest silently: the
 * first `maxPerLevel` of each level are annotated, the rest summarised in one annotation.
 */
export function annotate(
  report: Report,
  sink: AnnotationSink,
  maxPerLevel = Number.POSITIVE_INFINITY,
): number {
  let count = 0;
  const shown = { error: 0, warning: 0 };
  const hidden = { error: 0, warning: 0 };
  for (const project of report.projects) {
    const placed = [...project.findings, ...project.revisions.flatMap((r) => r.findings)];
    for (const f of placed) {
      if (f.ignored) continue;
      if (shown[f.severity] >= maxPerLevel) {
        hidden[f.severity]++;
        continue;
      }
      const properties: AnnotationProperties = { title: f.rule };
      // Project-level findings without a file point at the alembic config.
      properties.file = f.file ?? project.config;
      if (f.file && f.line !== null && f.line >= 1) properties.startLine = f.line;
      const message = f.help ? `${f.message}\n${f.help}` : f.message;
      if (f.severity === 'error') sink.error(message, properties);
      else sink.warning(message, properties);
      shown[f.severity]++;
      count++;
    }
  }
  for (const level of ['error', 'warning'] as const) {
    if (hidden[level] === 0) continue;
    const message = `${hidden[level]} more ${level}${hidden[level] === 1 ? '' : 's'} not annotated (max-annotations: ${maxPerLevel}): see the job summary or the JSON report`;
    sink[level](message, { title: `migration-guard: ${hidden[level]} more ${level}s` });
    count++;
  }
  return count;
}
