/**
 * The Action's inputs (action.yml), read and validated once. Pure: the reader is passed in, so tests give
 * a map and main.ts gives `@actions/core`'s `getInput`.
 */
import type { FailOn } from '../config/types.js';
import { CONFIG_PATH } from '../config/types.js';

/** When to write the sticky PR comment (see `upsertStickyComment`). */
export type CommentMode = 'always' | 'on-change' | 'never';

/**
 * Where each finding is annotated, once: `check-run` on the check run only, `workflow` as workflow
 * commands only, `auto` on the check run when it was written, else as workflow commands.
 */
export type AnnotationsMode = 'auto' | 'check-run' | 'workflow';

/** `check` evaluates the checkout; `publish` posts a report a fork's run produced (two-workflow pattern). */
export type ActionMode = 'check' | 'publish';

/** Every input, validated, with defaults applied. */
export interface ActionInputs {
  /** Empty when the workflow passes none: nothing is published, waivers cannot be read. */
  token: string;
  /** Repository path of the config file, read at the base branch's tip (never from the working tree). */
  configPath: string;
  failOn?: FailOn;
  comment: CommentMode;
  checkRun: boolean;
  annotations: AnnotationsMode;
  sarifFile?: string;
  reportFile?: string;
  base?: string;
  head?: string;
  workingDirectory: string;
  mode: ActionMode;
  /** Where the analysis cache lives between runs (restored by actions/cache); undefined: none. */
  cacheDir?: string;
}

/** An input with a value the Action cannot use; the message names the input and the allowed values. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(
    `input \`${name}\` must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}; got \`${value}\``,
  );
}

/**
 * Reads the inputs through `get` (which returns '' for an unset input, like `core.getInput` with trimming).
 * Throws {@link InputError} for a value outside an input's allowed set.
 */
export function readInputs(get: (name: string) => string): ActionInputs {
  const failOn = get('fail-on');
  const checkRun = get('check-run') || 'true';
  if (!TRUE.includes(checkRun) && !FALSE.includes(checkRun)) {
    throw new InputError(`input \`check-run\` must be \`true\` or \`false\`; got \`${checkRun}\``);
  }
  const configPath = get('config') || CONFIG_PATH;
  // The config is read from git at the base branch's tip, so an absolute or parent path cannot name it.
  if (configPath.startsWith('/') || configPath.split('/').includes('..')) {
    throw new InputError(
      `input \`config\` is a path inside the repository (read at the base branch's tip), like \`${CONFIG_PATH}\`; got \`${configPath}\``,
    );
  }
  const optional = (name: string) => {
    const v = get(name);
    return v === '' ? undefined : v;
  };
  const inputs: ActionInputs = {
    token: get('github-token'),
    configPath: configPath.replace(/^\.\//, ''),
    comment: oneOf('comment', get('comment') || 'on-change', ['always', 'on-change', 'never'] as const),
    checkRun: TRUE.includes(checkRun),
    annotations: oneOf('annotations', get('annotations') || 'auto', ['auto', 'check-run', 'workflow'] as const),
    workingDirectory: get('working-directory') || '.',
    mode: oneOf('mode', get('mode') || 'check', ['check', 'publish'] as const),
  };
  if (failOn) inputs.failOn = oneOf('fail-on', failOn, ['blocker', 'warning', 'never'] as const);
  for (const [key, name] of [
    ['sarifFile', 'sarif-file'],
    ['reportFile', 'report-file'],
    ['base', 'base'],
    ['head', 'head'],
    ['cacheDir', 'cache-dir'],
  ] as const) {
    const v = optional(name);
    if (v !== undefined) inputs[key] = v;
  }
  if (inputs.mode === 'publish' && !inputs.reportFile) {
    throw new InputError(
      '`mode: publish` needs `report-file`: the JSON report the checking run wrote (downloaded with actions/download-artifact)',
    );
  }
  return inputs;
}
