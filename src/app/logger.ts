/**
 * Structured JSON logs (pino, which Probot uses) that never carry credentials. Two layers, because a
 * credential can reach a log line by a path nobody planned:
 * 1. pino `redact` removes the fields where credentials live (authorization headers, tokens, keys);
 * 2. every serialised line is scrubbed of the app's own secrets (the private key, the webhook secret)
 *    and of anything shaped like a GitHub token or a JWT before it is written.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Fields removed from every log line, wherever they appear in the first two levels. */
export const REDACTED_PATHS = [
  'authorization',
  'token',
  'privateKey',
  'private_key',
  'secret',
  'webhookSecret',
  'headers.authorization',
  'headers.cookie',
  'headers["x-hub-signature"]',
  'headers["x-hub-signature-256"]',
  '*.authorization',
  '*.token',
  '*.privateKey',
  '*.private_key',
  '*.secret',
  '*.webhookSecret',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-hub-signature"]',
  '*.headers["x-hub-signature-256"]',
  'request.request.headers.authorization',
  '*.request.headers.authorization',
];

/** Installation and user tokens (`ghs_…`, `ghp_…`, `gho_…`, `ghu_…`, `ghr_…`, `github_pat_…`), JWTs, and legacy 40-hex tokens after "token". */
const TOKEN_PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9_-]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g,
  /\b((?:token|bearer)\s+)[A-Za-z0-9._-]{20,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: string;
  /** Where lines go (default stdout). Tests capture them. */
  destination?: DestinationStream;
  /** Exact strings that must never be written (the private key, the webhook secret). */
  secrets?: readonly string[];
}

/**
 * Pieces of each secret worth matching: the whole value, and for a PEM key each base64 line of its body,
 * so a key split across lines or JSON-escaped still never appears.
 */
function secretPieces(secrets: readonly string[]): string[] {
  const pieces = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    pieces.add(secret);
    pieces.add(JSON.stringify(secret).slice(1, -1));
    for (const line of secret.split(/\r?\n/))
      if (line.length >= 16 && !line.startsWith('-----')) pieces.add(line.trim());
  }
  // Longest first, so a whole key is replaced before its lines are looked for.
  return [...pieces].sort((a, b) => b.length - a.length);
}

/** Replaces credentials in one serialised log line. Exported for the test that proves it. */
export function scrub(line: string, pieces: readonly string[]): string {
  let out = line;
  for (const piece of pieces) if (out.includes(piece)) out = out.split(piece).join('[redacted]');
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: unknown) =>
      typeof prefix === 'string' ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

/** The app's logger: JSON lines, redacted fields, scrubbed secrets. Probot and its Octokits log through it. */
export function createLogger(options: LoggerOptions): Logger {
  const pieces = secretPieces(options.secrets ?? []);
  return pino(
    {
      // No root `name`: Probot and the app name their child loggers, and pino would repeat the key.
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (s: string) => scrub(s, pieces) },
      formatters: { level: (label: string) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
