/**
 * Dockerfiles: the final stage's base image, its HEALTHCHECK, the tools installed in it, CMD/ENTRYPOINT,
 * ENV and EXPOSE. Only the final stage matters at run time; a stage built `FROM` an earlier stage
 * inherits that stage's base image and installs.
 */
import type { ModifiableInstruction } from 'dockerfile-ast';
import type { SourceFile } from '../../../lang/source-file.js';
import type { DockerHealthcheck, Dockerfile } from '../model.js';
import { shellWords } from './commands.js';

interface Stage {
  name?: string;
  image: string;
  line: number;
  installs: Set<string>;
  /** Tools this stage's RUN lines name at all (downloaded, unpacked, installed under another root). */
  mentions: Set<string>;
  healthchecks: DockerHealthcheck[];
  cmd: string[];
  entrypoint: string[];
  cmdLine?: number;
  env: Record<string, string>;
  /** Build arguments in scope with their defaults (undefined: declared without one). */
  args: Record<string, string | undefined>;
  expose: number[];
  /** The stage it builds on, when its FROM names an earlier stage. */
  parent?: Stage;
}

/** `["a", "b"]` → argv; shell form → words; undefined for malformed JSON. */
export function argvOf(raw: string): { form: 'exec' | 'shell'; argv: string[] } {
  const t = raw.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { form: 'exec', argv: v as string[] };
    } catch {
      // Docker runs a malformed JSON array in shell form.
    }
  }
  return { form: 'shell', argv: shellWords(t) };
}

const TOOLS = ['curl', 'wget'];

/** Tools a RUN line installs with a package manager (`apk add curl`, `apt-get install -y curl wget`). */
function installedBy(run: string): string[] {
  const words = shellWords(run);
  const out: string[] = [];
  let installing = false;
  for (const w of words) {
    if (w === '&&' || w === ';' || w === '||' || w === '|') {
      installing = false;
      continue;
    }
    if (/^(add|install)$/.test(w)) {
      installing = true;
      continue;
    }
    if (installing) {
      const pkg = w.replace(/[=<>].*$/, '');
      if (TOOLS.includes(pkg)) out.push(pkg);
    }
  }
  return out;
}

/**
 * Tools a RUN line names as an argument rather than running them (`apt-get download curl`,
 * `apt-cache depends curl`): a stage that fetches packages to unpack them elsewhere.
 */
function packagesNamed(run: string): string[] {
  const out: string[] = [];
  let start = true;
  for (const w of shellWords(run)) {
    if (w === '&&' || w === ';' || w === '||' || w === '|' || w === '&') {
      start = true;
      continue;
    }
    if (start) {
      // `FOO=bar cmd` and RUN's own `--mount=…` flags come before the program.
      if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) && !w.startsWith('--')) start = false;
      continue;
    }
    if (TOOLS.includes(w)) out.push(w);
  }
  return out;
}

function unquote(v: string): string {
  return v.replace(/^"([\s\S]*)"$/, '$1').replace(/^'([\s\S]*)'$/, '$1');
}

/**
 * `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR-default}` replaced from `vars`; undefined when a
 * variable has no value there (it may come from the run-time environment).
 */
export function expandVars(text: string, vars: Readonly<Record<string, string | undefined>>): string | undefined {
  let missing = false;
  const out = text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (
      _m,
      braced: string | undefined,
      op: string | undefined,
      fallback: string | undefined,
      bare: string | undefined,
    ) => {
      const value = vars[(braced ?? bare)!];
      if (value !== undefined && !(op === ':-' && value === '')) return value;
      if (op !== undefined) return fallback ?? '';
      missing = true;
      return '';
    },
  );
  return missing ? undefined : out;
}

/** Parses a Dockerfile into what the health gate needs. */
export function parseDockerfile(file: SourceFile): Dockerfile | undefined {
  const df = file.dockerfile();
  if (!df) return undefined;
  const stages: Stage[] = [];
  const globalArgs: Record<string, string | undefined> = {};
  let current: Stage | undefined;
  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    const line = ins.getRange().start.line + 1;
    const raw = ins.getRawArgumentsContent() ?? '';
    if (keyword === 'FROM') {
      const args = ins
        .getArguments()
        .map((a) => a.getValue())
        .filter((a) => !a.startsWith('--'));
      const image = args[0] ?? '';
      const asIdx = args.findIndex((a) => a.toLowerCase() === 'as');
      const name = asIdx >= 0 ? args[asIdx + 1] : undefined;
      const parent = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === image.toLowerCase());
      current = {
        ...(name ? { name } : {}),
        image,
        line,
        installs: new Set(parent ? parent.installs : []),
        mentions: new Set(parent ? parent.mentions : []),
        healthchecks: parent ? [...parent.healthchecks] : [],
        cmd: parent ? [...parent.cmd] : [],
        ...(parent?.cmdLine !== undefined ? { cmdLine: parent.cmdLine } : {}),
        entrypoint: parent ? [...parent.entrypoint] : [],
        env: parent ? { ...parent.env } : {},
        args: {},
        expose: parent ? [...parent.expose] : [],
        ...(parent ? { parent } : {}),
      };
      stages.push(current);
      continue;
    }
    if (keyword === 'ARG') {
      // Before the first FROM an ARG is global; a stage sees it only when it declares it again.
      for (const a of ins.getArguments().map((x) => x.getValue())) {
        const eq = a.indexOf('=');
        const name = eq > 0 ? a.slice(0, eq) : a;
        const value = eq > 0 ? unquote(a.slice(eq + 1)) : undefined;
        if (!current) globalArgs[name] = value;
        else current.args[name] = value ?? globalArgs[name];
      }
      continue;
    }
    if (!current) continue;
    switch (keyword) {
      case 'RUN':
        for (const t of installedBy(raw)) current.installs.add(t);
        for (const t of packagesNamed(raw)) current.mentions.add(t);
        break;
      case 'COPY':
      case 'ADD': {
        for (const t of TOOLS) if (new RegExp(`(^|/)${t}(\\s|$)`).test(raw)) current.installs.add(t);
        // A system tree copied from a stage that fetched the tool (debs unpacked under /install, then
        // `COPY --from=deps /install/usr /usr`) brings the tool along.
        const flags = 'getFlags' in ins ? (ins as ModifiableInstruction).getFlags() : [];
        const from = flags.find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? undefined;
        const paths = ins.getArguments().map((a) => a.getValue());
        const dest = paths[paths.length - 1];
        const source = from ? stages.find((st) => st.name?.toLowerCase() === from.toLowerCase()) : undefined;
        if (source && dest && /^\/((usr\/(local\/)?)?s?bin\/?|usr(\/local)?\/?)?$/.test(dest))
          for (const t of [...source.installs, ...source.mentions]) current.installs.add(t);
        break;
      }
      case 'HEALTHCHECK': {
        const body = raw.replace(/^(\s*--[\w-]+(=\S+)?\s+)*/, '').trim();
        const sub = /^(\S+)\s*([\s\S]*)$/.exec(body);
        const word = sub?.[1]?.toUpperCase();
        const loc = { path: file.path, line, endLine: ins.getRange().end.line + 1 };
        if (word === 'NONE') current.healthchecks.push({ loc, form: 'none', argv: [], text: '' });
        else if (word === 'CMD') {
          const rest = sub?.[2] ?? '';
          const { form, argv } = argvOf(rest);
          current.healthchecks.push({ loc, form, argv, text: rest });
        }
        break;
      }
      case 'CMD':
        current.cmd = argvOf(raw).argv;
        current.cmdLine = line;
        break;
      case 'ENTRYPOINT':
        current.entrypoint = argvOf(raw).argv;
        if (current.cmdLine === undefined) current.cmdLine = line;
        break;
      case 'ENV': {
        const args = ins.getArguments().map((a) => a.getValue());
        // ENV values are expanded at build time, against the stage's ARGs and earlier ENVs.
        const scope = { ...current.args, ...current.env };
        const set = (name: string, value: string) => {
          current!.env[name] = expandVars(value, scope) ?? value;
        };
        if (args.length === 2 && !args[0]!.includes('=')) set(args[0]!, args[1]!);
        else
          for (const a of args) {
            const eq = a.indexOf('=');
            if (eq > 0) set(a.slice(0, eq), unquote(a.slice(eq + 1)));
          }
        break;
      }
      case 'EXPOSE':
        for (const a of ins.getArguments()) {
          const n = Number(a.getValue().replace(/\/(tcp|udp)$/, ''));
          if (Number.isInteger(n)) current.expose.push(n);
        }
        break;
      default:
        break;
    }
  }
  const final = stages[stages.length - 1];
  if (!final) return { path: file.path, healthchecks: [], installs: [], cmd: [], entrypoint: [], env: {}, expose: [] };
  const kept = new Set(final.healthchecks.map((h) => h.loc.line));
  const dropped = stages.flatMap((st) =>
    st.healthchecks
      .filter((h) => h.form !== 'none' && !kept.has(h.loc.line))
      .map((h) => ({ loc: h.loc, stage: st.name ?? st.image })),
  );
  let root: Stage = final;
  while (root.parent) root = root.parent;
  return {
    path: file.path,
    baseImage: root.image,
    baseLine: final.line,
    finalFrom: final.image,
    // A shell-form HEALTHCHECK runs `/bin/sh -c` in the container, so `$PORT` is the image's ENV (ARGs are gone).
    healthchecks: final.healthchecks.map((h) => {
      if (h.form !== 'shell' || !h.text.includes('$')) return h;
      const text = expandVars(h.text, final.env);
      return text === undefined ? h : { ...h, text, argv: shellWords(text) };
    }),
    installs: [...final.installs],
    cmd: final.cmd,
    entrypoint: final.entrypoint,
    ...(final.cmdLine !== undefined ? { cmdLine: final.cmdLine } : {}),
    env: final.env,
    expose: final.expose,
    ...(dropped.length ? { droppedHealthchecks: [...new Map(dropped.map((d) => [d.loc.line, d])).values()] } : {}),
  };
}

/**
 * What an image offers for health checks, from its name: a shell, curl, wget. Undefined entries are
 * unknown (an image we have no knowledge of): never judged.
 */
export interface ImageTools {
  shell?: boolean;
  curl?: boolean;
  wget?: boolean;
  /** How we know, for the message: "distroless images have no shell and no curl". */
  why: string;
}

/** Knowledge of common base images. Unknown images give undefined. */
export function imageTools(image: string): ImageTools | undefined {
  const ref = image.toLowerCase().replace(/@sha256:[0-9a-f]+$/, '');
  const [nameWithRegistry, tag = 'latest'] = splitTag(ref);
  const name = nameWithRegistry.replace(/^(docker\.io\/)?(library\/)?/, '');
  if (name === 'scratch')
    return { shell: false, curl: false, wget: false, why: '`scratch` images contain nothing but what you copy in' };
  if (/(^|\/)distroless\//.test(name) || name.startsWith('gcr.io/distroless')) {
    const debug = tag.includes('debug');
    return debug
      ? { shell: true, curl: false, wget: true, why: 'distroless debug images only have busybox (wget, no curl)' }
      : { shell: false, curl: false, wget: false, why: 'distroless images have no shell, no curl and no wget' };
  }
  if (name.startsWith('cgr.dev/chainguard/')) {
    if (tag.includes('dev')) return undefined;
    return {
      shell: false,
      curl: false,
      wget: false,
      why: 'Chainguard runtime images have no shell, no curl and no wget',
    };
  }
  const base = name.slice(name.lastIndexOf('/') + 1);
  const official = !name.includes('/') || name.startsWith('library/');
  if (!official) return undefined;
  if (base === 'alpine' || tag.includes('alpine'))
    return { shell: true, curl: false, wget: true, why: `\`${image}\` is Alpine-based: busybox wget, no curl` };
  if (base === 'busybox') return { shell: true, curl: false, wget: true, why: 'busybox has wget but no curl' };
  if (tag.includes('slim'))
    return { shell: true, curl: false, wget: false, why: `\`${image}\` is a slim Debian image: no curl, no wget` };
  if (base === 'debian' || base === 'ubuntu')
    return { shell: true, curl: false, wget: false, why: `the \`${base}\` base image has neither curl nor wget` };
  if (['node', 'python', 'golang', 'ruby', 'buildpack-deps'].includes(base)) {
    return { shell: true, curl: true, wget: true, why: `the full \`${base}\` image includes curl and wget` };
  }
  if (['postgres', 'redis', 'mysql', 'mariadb', 'mongo', 'rabbitmq', 'memcached', 'nginx', 'httpd'].includes(base)) {
    return { shell: true, curl: false, why: `the official \`${base}\` image has no curl` };
  }
  return undefined;
}

function splitTag(ref: string): [string, string | undefined] {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, undefined];
}

/** Official images that ship no HEALTHCHECK: `service_healthy` on them needs a compose healthcheck. */
export function imageHasNoHealthcheck(image: string): boolean {
  const ref = image.toLowerCase().replace(/@sha256:[0-9a-f]+$/, '');
  const [name] = splitTag(ref);
  const bare = name.replace(/^(docker\.io\/)?(library\/)?/, '');
  return [
    'postgres',
    'mysql',
    'mariadb',
    'redis',
    'mongo',
    'rabbitmq',
    'memcached',
    'nginx',
    'httpd',
    'node',
    'python',
    'alpine',
    'debian',
    'ubuntu',
    'busybox',
  ].includes(bare);
}
