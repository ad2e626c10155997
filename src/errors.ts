/**
 * One error base with stable codes. Errors that cross the worker boundary travel as
 * plain data ({ code, message, ...fields }) and are rebuilt here on the main thread.
 */

/** Stable error codes; tests and scripts may match on them. */
export type ErrorCode =
  | 'SCENARIO_INVALID'
  | 'SCENARIO_READ'
  | 'USAGE'
  | 'OUTPUT_EXISTS'
  | 'GENERATION_FAILED'
  | 'VALUE_OUT_OF_RANGE'
  /** An id variable's range holds fewer ids than the timeline has rows. */
  | 'ID_RANGE_EXHAUSTED'
  /** VAE training's loss stopped being finite. */
  | 'TRAINING_DIVERGED'
  /** A feature needs an optional package that is not installed (optional.ts). */
  | 'MISSING_DEPENDENCY'
  | 'DATASET_INVALID'
  | 'VERIFY_FAILED'
  | 'UNIQUENESS_FAILED'
  | 'INTERRUPTED'
  /** Another run holds the output directory's lock. */
  | 'OUTPUT_LOCKED'
  /** An input file (callback module, source, VAE model) no longer hashes to what was recorded. */
  | 'INPUT_CHANGED'
  /**
   * A user's callback threw, returned a value its column cannot hold, asked for too many
   * draws, ran past callback_timeout or past the worker memory limit (details.limit).
   */
  | 'CALLBACK_FAILED'
  /** A worker ran past its memory limit in paranom's own work (a callback's is CALLBACK_FAILED). */
  | 'RESOURCE_LIMIT'
  /** Reading or writing a file failed (disk full, permissions, I/O error). */
  | 'IO_FAILED';

/** Exit codes of the CLI, by error code. User mistakes exit 2, runtime failures 1. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  SCENARIO_INVALID: 2,
  SCENARIO_READ: 2,
  USAGE: 2,
  OUTPUT_EXISTS: 2,
  GENERATION_FAILED: 1,
  VALUE_OUT_OF_RANGE: 1,
  ID_RANGE_EXHAUSTED: 2,
  // The options the user chose (learning rate, beta) made the loss non-finite; the message says which to change.
  TRAINING_DIVERGED: 2,
  MISSING_DEPENDENCY: 2,
  DATASET_INVALID: 1,
  VERIFY_FAILED: 1,
  UNIQUENESS_FAILED: 3,
  INTERRUPTED: 130,
  OUTPUT_LOCKED: 1,
  // The user changed a file a dataset was made from: their change to undo, not a failure.
  INPUT_CHANGED: 2,
  // The user's own code failed: theirs to fix (the message names variable, module and row).
  CALLBACK_FAILED: 2,
  RESOURCE_LIMIT: 1,
  IO_FAILED: 1,
};

export class ParanomError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ParanomError';
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  /** Plain-data form for postMessage. */
  toData(): ErrorData {
    return { code: this.code, message: this.message, details: this.details };
  }

  /**
   * Rebuilds an error sent as data from a worker. `context` (which shard or rows) prefixes
   * the message of a failure during generation (so it can be replayed alone); other coded
   * user-facing messages already say where.
   */
  static fromData(data: ErrorData, context?: string): ParanomError {
    const message = context && withContext(data.code) ? `${context}: ${data.message}` : data.message;
    return new ParanomError(data.code, message, data.details);
  }
}

/** Codes of failures met while generating rows, whose messages take the shard or rows as a prefix. */
function withContext(code: ErrorCode): boolean {
  return code === 'GENERATION_FAILED' || code === 'CALLBACK_FAILED';
}

/**
 * Any thrown value as plain data for postMessage: a ParanomError keeps its code, anything
 * else becomes GENERATION_FAILED. `details` (seed, rows, shard) are added to the error's
 * own, with the stack for --verbose.
 */
export function errorData(err: unknown, details: Record<string, unknown> = {}): ErrorData {
  const known = err instanceof ParanomError ? err : outOfFileDescriptors(err);
  const base = known ? known.toData() : { code: 'GENERATION_FAILED' as const, message: String((err as Error)?.message ?? err), details: {} };
  return { ...base, details: { ...base.details, ...details, stack: (err as Error)?.stack } };
}

/** The process exit code for a thrown value: by error code, 1 for anything unexpected. */
export function exitCodeOf(err: unknown): number {
  return err instanceof ParanomError ? err.exitCode : 1;
}

/** Plain-words names of the system errors a user can meet while paranom reads or writes. */
export const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  // A rename onto or of a mount point (a file or folder bind-mounted there, a volume).
  EBUSY: 'resource busy (a mount point, or a file in use)',
  EXDEV: 'not on the same file system (a mount point in the way)',
};

/**
 * A failure to write `file` for lack of room (a full disk, a quota), as IO_FAILED saying
 * so and what to do; undefined for any other error.
 */
export function noRoom(err: unknown, file: string, then: string): ParanomError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  return new ParanomError('IO_FAILED', `writing ${file}: ${SYSTEM_ERRORS[code]} (${code}); ${then}`, { file, errno: code });
}

/**
 * A failure for want of file descriptors, as RESOURCE_LIMIT (exit 1) naming the limit and how
 * to raise it; undefined for any other error. EMFILE is this process's open-file limit
 * (`ulimit -n`), met by a file paranom opens, a module it loads, or a worker thread that
 * could not start for it (Node's ERR_WORKER_INIT_FAILED, the errno in its message); ENFILE
 * is the whole system's. Which file was being opened does not help the user: it is left out
 * of the message (the failure's own stack, for --verbose, says it).
 */
export function outOfFileDescriptors(err: unknown): ParanomError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = e?.code === 'EMFILE' || e?.code === 'ENFILE' ? e.code : e?.code === 'ERR_WORKER_INIT_FAILED' ? /\b(EMFILE|ENFILE)\b/.exec(e.message)?.[1] : undefined;
  if (code === 'ENFILE') {
    return new ParanomError('RESOURCE_LIMIT', 'too many open files on this system (ENFILE): the system-wide limit is reached; close files other programs hold or raise fs.file-max, and run the same command again', { errno: code, stack: e?.stack });
  }
  if (code !== 'EMFILE') return undefined;
  const limit = openFileLimit();
  const is = limit === undefined ? 'is' : `is ${limit},`;
  return new ParanomError('RESOURCE_LIMIT', `too many open files (EMFILE): the open-file limit (ulimit -n) ${is} too low for this run; raise it, e.g. \`ulimit -n 4096\`, and run the same command again`, { errno: code, ...(limit === undefined ? {} : { limit }), stack: e?.stack });
}

/**
 * This process's open-file limit (the soft one, what `ulimit -n` shows), or undefined where
 * it cannot be told. From Node's diagnostic report: it opens no file, so it answers when no
 * descriptor is left (reading /proc/self/limits would itself fail with EMFILE).
 */
function openFileLimit(): number | undefined {
  try {
    const report = process.report?.getReport() as { userLimits?: { open_files?: { soft?: unknown } } } | undefined;
    const soft = report?.userLimits?.open_files?.soft;
    return typeof soft === 'number' && Number.isSafeInteger(soft) ? soft : undefined;
  } catch {
    return undefined;
  }
}

export interface ErrorData {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** One problem found in a scenario: where (path inside the file, line if known) and what. */
export interface ScenarioIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export class ScenarioError extends ParanomError {
  constructor(
    readonly file: string,
    readonly issues: readonly ScenarioIssue[],
  ) {
    super('SCENARIO_INVALID', formatIssues(file, issues), { file, issues });
    this.name = 'ScenarioError';
  }
}

function formatIssues(file: string, issues: readonly ScenarioIssue[]): string {
  const head = `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in scenario`;
  // In file order, so the list reads top to bottom beside the file (checks run in another order).
  const inFileOrder = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
  const lines = inFileOrder.map((i) => {
    const where = i.line !== undefined ? `${file}:${i.line}${i.column !== undefined ? `:${i.column}` : ''} ` : '';
    return `  ${where}${i.path || '(root)'}: ${i.message}`;
  });
  return [head, ...lines].join('\n');
}
