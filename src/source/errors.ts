/**
 * The one error type the source layer throws for problems a user can fix (not a repository, unknown ref,
 * shallow clone missing history, git missing). The CLI prints `message` and then `hint`; the Action
 * puts both in the check run, so neither should assume a terminal.
 */
export class SourceError extends Error {
  /** What to do about it, e.g. the exact `git fetch` command to run. Undefined when there is nothing to add. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SourceError';
    this.hint = hint;
  }
}
