import { at, ddlRule, ident } from '../ddl-context.js';
import { blocksTraffic, lockOf, type Op } from '../ops.js';

/** The existing table an operation locks in a way that blocks traffic, if any. */
function blockingLock(op: Op): { table?: string; what: string } | undefined {
  if (op.kind === 'drop-index' && !op.concurrent) return { what: 'DROP INDEX' };
  if (op.kind === 'reindex' && !op.concurrent) return { table: op.target, what: 'REINDEX' };
  const lock = lockOf(op);
  if (!lock || !blocksTraffic(lock.lock)) return undefined;
  return {
    table: lock.table,
    what:
      lock.lock === 'access-exclusive'
        ? 'an ACCESS EXCLUSIVE lock'
        : lock.lock === 'share'
          ? 'a SHARE lock'
          : 'a SHARE ROW EXCLUSIVE lock',
  };
}

/**
 * migrations/missing-lock-timeout: a SQL migration that takes a traffic-blocking lock on an existing
 * table without `SET lock_timeout` first. Even an instant ALTER waits behind any long-running query,
 * and while it waits every other query on that table queues behind it: a brief outage.
 */
export const rule = ddlRule({
  postgresOnly: true,
  meta: {
    id: 'migrations/missing-lock-timeout',
    gate: 'migrations',
    severity: 'warning',
    description: 'A SQL migration takes a blocking lock on an existing table without setting lock_timeout first.',
    messages: {
      missing:
        '{{statement}} takes {{what}} on {{table}} with no lock_timeout set: if a long query holds the table, this statement waits, and every read and write of {{table}} queues behind it for as long as it waits.',
    },
    fixes: {
      missing:
        "Start the migration with `SET lock_timeout = '2s';` (and retry the deploy if it times out), or set it for the migration role (`ALTER ROLE … SET lock_timeout`, `PGOPTIONS='-c lock_timeout=2s'`).",
    },
    native: { squawk: ['require-lock-timeout', 'require-timeout-settings'] },
  },
  judge(t, ctx) {
    // Code migrations usually get the timeout from the connection settings, which we cannot see.
    if (t.info.language !== 'sql') return;
    let timeoutSet = false;
    for (let i = 0; i < t.ops.length; i++) {
      const op = t.ops[i]!;
      if (op.kind === 'set-timeout' && op.setting === 'lock_timeout') {
        timeoutSet = !op.disabled;
        continue;
      }
      if (timeoutSet) continue;
      let lock = blockingLock(op);
      if (!lock) continue;
      if (lock.table !== undefined && (t.isNew(lock.table, i) || t.isSmall(lock.table))) {
        // A foreign key also locks the table it references (SHARE ROW EXCLUSIVE), even from a new table.
        const ref = op.kind === 'add-constraint' && op.constraint === 'foreign-key' ? op.references : undefined;
        if (!ref || t.isNew(ref, i) || t.isSmall(ref)) continue;
        lock = { table: ref, what: 'a SHARE ROW EXCLUSIVE lock' };
      }
      const statement = op.snippet.length > 60 ? `${op.snippet.slice(0, 57)}…` : op.snippet;
      ctx.report({
        messageId: 'missing',
        data: { statement: `\`${statement}\``, what: lock.what, table: lock.table ? ident(lock.table) : 'its table' },
        ...at(op),
        key: 'lock_timeout',
      });
      return;
    }
  },
});
