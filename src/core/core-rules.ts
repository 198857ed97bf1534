/** Ids of the rules the engine reports itself (their meta and docs live in src/gates/core/). */
export const CORE_GATE_ID = 'core' as const;
export const MISSING_REASON_RULE = 'core/suppression-missing-reason';
export const UNUSED_SUPPRESSION_RULE = 'core/unused-suppression';
export const UNANALYSED_FILE_RULE = 'core/unanalysed-file';
