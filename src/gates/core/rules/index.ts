// The core gate's rules, sorted by id. `npm run new-rule` rewrites this list; the registry test checks it.
import { rule as suppressionMissingReason } from './suppression-missing-reason.js';
import { rule as unanalysedFile } from './unanalysed-file.js';
import { rule as unusedSuppression } from './unused-suppression.js';

export const rules = [suppressionMissingReason, unanalysedFile, unusedSuppression];
