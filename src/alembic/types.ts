/** Shared types of the Alembic stage: located projects and statically parsed revisions. */

export interface AlembicProject {
  /** Config path relative to the git repository root (or to projectDir when not in git). */
  id: string;
  /** Absolute path of alembic.ini (or pyproject.toml for `source: 'pyproject'`). */
  configPath: string;
  configDir: string;
  /** Absolute git toplevel, null when the project is not inside a git work tree. */
  repoRoot: string | null;
  section: 'alembic';
  /** Absolute directory holding env.py and script.py.mako. */
  scriptLocation: string;
  /** Absolute directories revision files are loaded from. */
  versionLocations: string[];
  recursiveVersionLocations: boolean;
  /** Absolute directories alembic puts in front of sys.path. */
  prependSysPath: string[];
  /** `file_template` after interpolation (`%(rev)s_%(slug)s`), null when not set. */
  fileTemplate: string | null;
  source: 'ini' | 'pyproject';
}

/** One `op.<name>(…)` call found in a revision file. */
export interface OpCall {
  name: string;
  /** 1-based line of `op`. */
  line: number;
  endLine: number;
  /** Source text of the whole call, `op.create_index(…)`. */
  text: string;
  /** Keyword argument names, in order. */
  keywords: string[];
  /** Source text of each positional argument. */
  positional: string[];
  /** The top-level function the call is in (`upgrade`, `downgrade`, a helper), null at module level. */
  function: string | null;
}

export interface FunctionBody {
  /** 1-based line of `def`. */
  defLine: number;
  /** First and last line of the body (the def line itself for `def f(): pass`). */
  startLine: number;
  endLine: number;
  /** Token text without comments and whitespace: equal iff the code is equal. */
  normalized: string;
  /** The body is only `pass`, `...` and/or a docstring. */
  empty: boolean;
  /** Text of comments (and docstring) inside the body that could explain an empty body. */
  reason: string | null;
  /**
   * Set when the body does nothing but raise (besides a docstring, comments and `pass`):
   * `raise NotImplementedError("why")`. Absent on bodies parsed before this field existed.
   */
  raises?: RaiseStatement | null;
}

export interface RaiseStatement {
  /** Last part of the exception's name: `CommandError` for `alembic.util.CommandError`. */
  exception: string;
  /** The message when it is a string literal, else null. */
  message: string | null;
  line: number;
}

export interface SourceComment {
  line: number;
  /** Text after `#`, trimmed. */
  text: string;
}

export interface ParsedRevision {
  /** Absolute path (or, for files read from git, the path the file would have in the work tree). */
  file: string;
  /** Path relative to the repository root (or project dir when not in git). */
  relFile: string;
  /** null when no static value was found (see needsPython) or the file declares no revision. */
  revision: string | null;
  downRevisions: string[];
  branchLabels: string[];
  dependsOn: string[];
  /** Line of the `revision = …` assignment. */
  revisionLine: number | null;
  docstring: string | null;
  /** First line of the docstring: what alembic's template writes as the message. */
  message: string | null;
  opCalls: OpCall[];
  upgrade: FunctionBody | null;
  downgrade: FunctionBody | null;
  comments: SourceComment[];
  /**
   * False when only the header was parsed (revisions unchanged since the base, not pending):
   * opCalls, upgrade, downgrade and comments are then empty.
   */
  complete: boolean;
  /** Some identifier assignment could not be evaluated statically (computed, f-string, name). */
  needsPython: boolean;
  /** Why the file could not be parsed statically at all (tokenizer error), null when fine. */
  parseError: string | null;
}

/** A revision file that is not a usable revision (declares no id, or failed to load in Python). */
export interface FileProblem {
  relFile: string;
  message: string;
  line: number | null;
  /** True when the Python fallback could not import it: the round trip reports those. */
  importError: boolean;
  /**
   * True when the file (or the script location) resolves outside the repository or is not a
   * regular file: it is never read, and alembic would read it, so the round trip does not run.
   */
  outsideRepository?: boolean;
}
