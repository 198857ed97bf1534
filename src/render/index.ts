/**
 * The renderers: pure functions from a {@link ReadinessReport} to each output (terminal text, the markdown
 * scorecard, the JSON report, SARIF, check-run payloads and workflow commands), each within its platform's
 * limits. Nothing here talks to GitHub; `src/github/` publishes what these return.
 */
export type { ReadinessReport } from '../core/report.js';
export { renderText, shouldColor, progressLine, type TextOptions } from './text.js';
export {
  renderMarkdown,
  renderMarkdownDetailed,
  MARKER,
  COMMENT_MAX_CHARS,
  TRUNCATION_ORDER,
  type ListKey,
  type MarkdownOptions,
  type MarkdownRender,
} from './markdown.js';
export { renderJson, toContractObject } from './json.js';
export {
  renderSarif,
  renderSarifString,
  sarifLevel,
  SARIF_SCHEMA_URI,
  SARIF_MAX_RESULTS,
  FINGERPRINT_KEY,
  TOOL_INFORMATION_URI,
  type SarifOptions,
} from './sarif.js';
export {
  checkRunPayload,
  checkRunTitle,
  annotations,
  batches,
  workflowAnnotations,
  escapeData,
  escapeProperty,
  CHECK_RUN_TEXT_MAX,
  ANNOTATIONS_PER_REQUEST,
  MAX_ANNOTATIONS,
  unannotatedNote,
  type Annotation,
  type CheckRunOptions,
  type CheckRunPayload,
  type WorkflowAnnotationOptions,
} from './check-run.js';
export { mdText, mdCode, htmlText, encodePath, safeUrl, mdLink } from './escape.js';
