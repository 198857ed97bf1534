/**
 * Dispatch from a code migration (Python or JS/TS) to its ecosystem's extractor.
 */
import type { SourceFile } from '../../../lang/source-file.js';
import type { MigrationFileInfo, MigrationTool, TransactionMode } from '../layout.js';
import type { ExtractedOp } from '../plan.js';
import { alembicOps } from './alembic.js';
import { djangoOps } from './django.js';
import { gooseOps } from './goose.js';
import { jsOps } from './js.js';

export interface Extracted {
  ops: ExtractedOp[];
  tool?: MigrationTool;
  mode?: TransactionMode;
  parseError?: { message: string; line: number };
}

/** Operations of a migration written in code. Never throws for odd code: unknown shapes give no ops. */
export function ormOps(file: SourceFile, info: MigrationFileInfo): Extracted {
  switch (info.tool) {
    case 'django': {
      const { ops, atomic } = djangoOps(file);
      return { ops, mode: atomic ? 'always' : 'explicit' };
    }
    case 'alembic':
      return { ops: alembicOps(file) };
    case 'knex':
    case 'typeorm':
    case 'sequelize':
    case 'db-migrate':
    case 'kysely':
    case 'slonik':
    case 'js':
      return jsOps(file, info.tool);
    case 'goose':
      return info.language === 'go' ? gooseOps(file) : { ops: [] };
    default:
      return { ops: [] };
  }
}
