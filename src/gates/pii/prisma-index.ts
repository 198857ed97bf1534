/**
 * The secret columns of a snapshot's Prisma models (model → columns whose names say they hold a password,
 * an API key, a token or a secret, or its hash), so a log call that writes a whole row read through the
 * Prisma client (`const key = await prisma.apiKey.findUnique(…)`; `logger.info({ key })`) can say which
 * secret the row carries. Plain data; built only when a changed JS/TS file reads rows through a client.
 */
import { changedFilesMatching } from '../../core/feeds.js';
import type { IndexDef, RuleContext } from '../../core/types.js';
import { prismaAccessor, prismaModels } from '../../lang/prisma.js';
import { resolveOptions, type PiiOptions } from './options.js';
import { JS_FILES } from './report.js';
import { secretColumn, type SecretColumnMatch } from './sensitive.js';

export interface SecretColumn extends SecretColumnMatch {
  /** The field name, as the row object has it. */
  field: string;
  line: number;
}

export interface PrismaSecretModel {
  model: string;
  path: string;
  line: number;
  /** The fields that are columns (scalars and enums), so a `select` can be checked against them. */
  columns: string[];
  secrets: SecretColumn[];
}

/** Client accessor (`apiKey`) → the models of that name (more than one in a repository of several schemas). */
export type PrismaSecretIndex = ReadonlyMap<string, readonly PrismaSecretModel[]>;

export const PRISMA_SECRET_INDEX = 'prisma-secret-columns';

const FEED_TOKENS = ['.findUnique', '.findFirst', '.findMany', '.create(', '.update(', '.upsert(', '.delete('];

export const prismaSecretIndex: IndexDef<PrismaSecretIndex, PiiOptions> = {
  id: PRISMA_SECRET_INDEX,
  // Only a changed JS/TS file that reads rows through a client can log one.
  async feeds(ctx) {
    return (await changedFilesMatching(ctx, { globs: JS_FILES, tokens: FEED_TOKENS })).length > 0;
  },
  async build(ctx) {
    const { classifier } = resolveOptions(ctx.gateOptions);
    const out = new Map<string, PrismaSecretModel[]>();
    for (const path of await ctx.snapshot.list(['**/*.prisma'])) {
      if (ctx.excluded(path) || /(^|\/)node_modules\//.test(path)) continue;
      const read = await ctx.snapshot.read(path);
      if (!read.ok) continue;
      for (const m of prismaModels(read.file.lines())) {
        if (m.ignored) continue;
        const fields = m.fields.filter((f) => f.isColumn);
        const secrets: SecretColumn[] = [];
        // Secrets are text or bytes: `credentialBackedUp Boolean` and `tokenCount Int` only name one.
        for (const f of fields.filter((c) => c.type === 'String' || c.type === 'Bytes')) {
          const match = secretColumn(classifier, f.name);
          if (match) secrets.push({ field: f.name, line: f.line, ...match });
        }
        const entry = { model: m.name, path, line: m.line, columns: fields.map((f) => f.name), secrets };
        const key = prismaAccessor(m.name);
        out.set(key, [...(out.get(key) ?? []), entry]);
      }
    }
    return out;
  },
};

/** The index of the side being checked; undefined when the change did not feed it or it failed. */
export function prismaIndexOf(ctx: RuleContext<unknown, PiiOptions>): PrismaSecretIndex | undefined {
  try {
    return ctx.index(prismaSecretIndex);
  } catch {
    return undefined;
  }
}
