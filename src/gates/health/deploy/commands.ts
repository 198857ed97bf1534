/**
 * Reading command lines that health checks and containers run: which HTTP URL a `curl`/`wget`/inline
 * script probes, which port a Python server binds, whether a start command runs migrations first, and
 * which programs a shell command needs.
 */

/** Splits a shell command into words (quotes respected, no expansion). */
export function shellWords(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      if (next !== '\n') cur += next;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else if ((ch === '|' || ch === '&' || ch === ';') && !cur) {
      // Operators as their own words: `a||b` → a, ||, b.
      let op = ch;
      if ((ch === '|' || ch === '&') && text[i + 1] === ch) op += text[++i];
      out.push(op);
    } else if (ch === '|' || ch === '&' || ch === ';') {
      out.push(cur);
      cur = '';
      has = false;
      i--;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** The programs a shell command runs: the first word of each `&&`/`||`/`;`/`|` segment (after env assignments). */
export function programsOf(words: readonly string[]): string[] {
  const out: string[] = [];
  let start = true;
  for (const w of words) {
    if (w === '&&' || w === '||' || w === ';' || w === '|' || w === '&') {
      start = true;
      continue;
    }
    if (!start) continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue; // FOO=bar cmd
    if (w === 'exec' || w === 'sudo') continue;
    out.push(w.slice(w.lastIndexOf('/') + 1));
    start = false;
  }
  return out;
}

export interface HttpTarget {
  /** `curl`, `wget`, `node`, `python`… or `url` when only a URL literal was found. */
  tool: string;
  host: string;
  port: number;
  path: string;
  scheme: 'http' | 'https';
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '[::1]', '::1']);

/** True when an HTTP target is the container itself. */
export function isLocal(target: HttpTarget): boolean {
  return LOCAL_HOSTS.has(target.host);
}

/**
 * The HTTP URL a health-check command requests, when it has one URL literal: `curl -f http://localhost:3000/healthz`,
 * `wget -qO- http://127.0.0.1:8080/readyz`, `node -e "fetch('http://localhost:3000/livez')…"`,
 * `python -c "urllib.request.urlopen('http://localhost:8000/health')"`. Undefined when none or several
 * different ones appear, or the URL is built from variables.
 */
export function httpTargetOf(words: readonly string[]): HttpTarget | undefined {
  const text = words.join(' ');
  const urls = [...text.matchAll(/\bhttps?:\/\/[^\s'"`)\]},;]+/g)].map((m) => m[0]);
  const distinct = [...new Set(urls)];
  if (distinct.length !== 1) return undefined;
  const raw = distinct[0]!;
  if (/[$%{}]/.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  const programs = programsOf(words);
  const tool = programs.find((p) => p === 'curl' || p === 'wget') ?? programs[0] ?? 'url';
  return { tool, host: url.hostname, port, path: url.pathname || '/', scheme };
}

/**
 * The port a Python/Node server command line binds, when it says so or the server has a well-known
 * default: uvicorn/hypercorn `--port`/`--bind`, gunicorn `-b`/`--bind` (default 8000), Django
 * `runserver [addr:]port` (8000), `flask run --port` (5000), `next start -p` (3000), `uvicorn` (8000).
 * Undefined when the command is not one of those; `{ env }` when the port comes from `$PORT`.
 */
export function serverPortOf(argv: readonly string[]): { port?: number; env?: string; via: string } | undefined {
  const words =
    argv.length === 1
      ? shellWords(argv[0]!)
      : argv.flatMap((a) =>
          /\s/.test(a) && /(uvicorn|gunicorn|runserver|hypercorn|flask)/.test(a) ? shellWords(a) : [a],
        );
  const idx = words.findIndex(
    (w, i) =>
      /(^|\/)(uvicorn|gunicorn|hypercorn|granian|daphne)$/.test(w) ||
      w === 'runserver' ||
      (w === 'run' && /(^|\/)flask$/.test(words[i - 1] ?? '')) ||
      (w === 'start' && /(^|\/)next$/.test(words[i - 1] ?? '')),
  );
  if (idx === -1) return undefined;
  const server = words[idx]!.slice(words[idx]!.lastIndexOf('/') + 1);
  const rest = words.slice(idx + 1);
  const valueOf = (...flags: string[]): string | undefined => {
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i]!;
      for (const f of flags) {
        if (w === f) return rest[i + 1];
        if (w.startsWith(`${f}=`)) return w.slice(f.length + 1);
        if (f.length === 2 && w.startsWith(f) && w.length > 2) return w.slice(2);
      }
    }
    return undefined;
  };
  const parsePort = (v: string | undefined): { port?: number; env?: string } | undefined => {
    if (v === undefined) return undefined;
    const env = /\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::-(\d+))?\}?$/.exec(v);
    if (env) return { env: env[1]!, ...(env[2] ? { port: Number(env[2]) } : {}) };
    const literal = /(?:^|:)(\d+)$/.exec(v);
    if (literal) return { port: Number(literal[1]) };
    return {};
  };
  let found: { port?: number; env?: string } | undefined;
  switch (server) {
    case 'uvicorn':
    case 'granian':
      found = parsePort(valueOf('--port')) ?? parsePort(valueOf('--bind')) ?? { port: 8000 };
      break;
    case 'hypercorn':
      found = parsePort(valueOf('--bind', '-b')) ?? { port: 8000 };
      break;
    case 'gunicorn':
      found = parsePort(valueOf('--bind', '-b')) ?? { port: 8000 };
      break;
    case 'daphne':
      found = parsePort(valueOf('--port', '-p')) ?? parsePort(valueOf('--bind', '-b')) ?? { port: 8000 };
      break;
    case 'runserver': {
      const addr = rest.find((w) => !w.startsWith('-'));
      found = parsePort(addr) ?? { port: 8000 };
      break;
    }
    case 'run':
      found = parsePort(valueOf('--port', '-p')) ?? { port: 5000 };
      break;
    case 'start':
      found = parsePort(valueOf('--port', '-p')) ?? { port: 3000 };
      break;
    default:
      return undefined;
  }
  if (!found) return undefined;
  return { ...found, via: server === 'run' ? 'flask run' : server === 'start' ? 'next start' : server };
}

/** What makes a container slow to start, read from its command line: migrations before the server. */
export function slowStartReason(argv: readonly string[]): string | undefined {
  const text = argv.join(' ');
  const patterns: Array<[RegExp, string]> = [
    [/\bprisma\s+migrate\s+deploy\b/, '`prisma migrate deploy`'],
    [/\bmanage\.py\s+migrate\b/, '`manage.py migrate`'],
    [/\balembic\s+upgrade\b/, '`alembic upgrade`'],
    [/\bknex\s+migrate:latest\b/, '`knex migrate:latest`'],
    [/\bsequelize(-cli)?\s+db:migrate\b/, '`sequelize db:migrate`'],
    [/\btypeorm\s+migration:run\b/, '`typeorm migration:run`'],
    [/\bnpm\s+run\s+migrate\b|\bnpm\s+run\s+db:migrate\b/, '`npm run migrate`'],
    [/\bflask\s+db\s+upgrade\b/, '`flask db upgrade`'],
    [/\bcollectstatic\b/, '`collectstatic`'],
  ];
  for (const [re, what] of patterns) if (re.test(text)) return `runs ${what} before the server starts`;
  return undefined;
}
