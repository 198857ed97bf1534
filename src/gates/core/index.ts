import type { Gate } from '../../core/types.js';
import { rules } from './rules/index.js';

/**
 * The engine's own rules about suppression markers. Not one of the four product gates: it never skips,
 * builds no index, and its findings are listed under "Suppressions" only when there are any.
 */
export const coreGate: Gate = {
  id: 'core',
  title: 'Suppressions',
  description:
    'Checks that every readiness-ignore comment names a rule, gives a reason, and still suppresses something.',
  applies: async () => true,
  rules,
};
