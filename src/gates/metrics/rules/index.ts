// The metrics gate's rules, sorted by id. `npm run new-rule` rewrites this list; the registry test checks it.
import { rule as createdInHotPath } from './created-in-hot-path.js';
import { rule as crossServiceConflict } from './cross-service-conflict.js';
import { rule as defaultMetricsTwice } from './default-metrics-twice.js';
import { rule as duplicateName } from './duplicate-name.js';
import { rule as dynamicName } from './dynamic-name.js';
import { rule as invalidDefinition } from './invalid-definition.js';
import { rule as namingConvention } from './naming-convention.js';
import { rule as neverObserved } from './never-observed.js';
import { rule as otelInstrumentConflict } from './otel-instrument-conflict.js';
import { rule as pythonSuffixCollision } from './python-suffix-collision.js';
import { rule as redundantRegistration } from './redundant-registration.js';
import { rule as registryCleared } from './registry-cleared.js';
import { rule as registryMergeConflict } from './registry-merge-conflict.js';
import { rule as unboundedLabel } from './unbounded-label.js';

export const rules = [
  createdInHotPath,
  crossServiceConflict,
  defaultMetricsTwice,
  duplicateName,
  dynamicName,
  invalidDefinition,
  namingConvention,
  neverObserved,
  otelInstrumentConflict,
  pythonSuffixCollision,
  redundantRegistration,
  registryCleared,
  registryMergeConflict,
  unboundedLabel,
];
