/**
 * What the markdown renderers are told besides the Report: where links point and how large the
 * text may be. One type for all of them, so a renderer module never imports the entry.
 */
import type { FailOn } from '../../config.js';

export interface MarkdownOptions {
  /** `https://github.com/owner/repo`: file:line references become links when headSha is set too. */
  repoUrl?: string;
  /** Commit the links point at (the PR head). */
  headSha?: string;
  /** Cap in UTF-8 bytes (never less than GitHub's character count). Default: no cap. */
  maxLength?: number;
  /** Where the full report is (the workflow run); named in the truncation note. */
  detailsLink?: string;
  /** Decides the verdict icon; default `error`. */
  failOn?: FailOn;
}

/** GitHub rejects issue comments longer than 65 536 characters. */
export const COMMENT_MAX_LENGTH = 65_535;
/** GitHub's limit for one step's job summary. */
export const SUMMARY_MAX_LENGTH = 1024 * 1024;
