/**
 * Size limits shared by every Snapshot implementation, so a file is skipped as `too-large` the same way
 * whether it comes from git, the GitHub API or memory. The number itself belongs to the decoder.
 */
import { DEFAULT_MAX_BYTES } from '../lang/index.js';

/** Files above this many bytes are not read or parsed (generated bundles, dumps). 1 MiB. */
export const DEFAULT_MAX_FILE_BYTES: number = DEFAULT_MAX_BYTES;
