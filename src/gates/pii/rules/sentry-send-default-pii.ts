import type { FileRule } from '../../../core/types.js';
import { lineOf } from '../../../lang/ts-helpers.js';
import { sentryFindings } from '../config-checks.js';
import type { PiiOptions } from '../options.js';
import { SOURCE_FILES, skipFile } from '../report.js';

/**
 * pii/sentry-send-default-pii: `Sentry.init({ sendDefaultPii: true })` (any `@sentry/*` SDK) or
 * `sentry_sdk.init(send_default_pii=True)`. Off by default in both SDKs.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: SOURCE_FILES,
  prefilter: ['sendDefaultPii', 'send_default_pii'],
  meta: {
    id: 'pii/sentry-send-default-pii',
    gate: 'pii',
    severity: 'warning',
    description:
      'Sentry initialised with sendDefaultPii / send_default_pii on, which ships IP addresses, cookies, headers and user data to Sentry.',
    messages: {
      js: "`Sentry.init` sets `sendDefaultPii: true`: every event ships the user's IP address, request cookies and headers and user details to Sentry, a third party outside your retention and deletion controls.",
      python:
        "`sentry_sdk.init` sets `send_default_pii=True`: every event ships the user's IP address, request cookies and headers and user details to Sentry, a third party outside your retention and deletion controls.",
    },
    fixes: {
      default:
        'Remove it (the default is off), and attach only the opaque user id you need with `setUser({ id })` / `set_user({"id": …})`.',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    for (const f of sentryFindings(file))
      ctx.report({ messageId: f.messageId, line: lineOf(f.node), key: f.key, data: f.data });
  },
};
