/**
 * Dockerfiles: the final stage's base image, its HEALTHCHECK, the tools installed in it, CMD/ENTRYPOINT,
 * ENV and EXPOSE. Only the final stage matters at run time; a stage built `FROM` an earlier stage
 * inherits that stage's base image and installs.
 */
import type { SourceFile } from '../../../lang/source-file.js';
import type { DockerHealthcheck, Dockerfile } from '../model.js';
import { shellWords } from './commands.js';

interface Stage {
  name?: string;
  image: string;
  line: number;
  installs: Set<string>;
  healthchecks: DockerHealthcheck[];
  cmd: string[];
  entrypoint: string[];
  cmdLine?: number;
  env: Record<string, string>;
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

/** Parses a Dockerfile into what the health gate needs. */
export function parseDockerfile(file: SourceFile): Dockerfile | undefined {
  const df = file.dockerfile();
  if (!df) return undefined;
  const stages: Stage[] = [];
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
        healthchecks: parent ? [...parent.healthchecks] : [],
        cmd: parent ? [...parent.cmd] : [],
        ...(parent?.cmdLine !== undefined ? { cmdLine: parent.cmdLine } : {}),
        entrypoint: parent ? [...parent.entrypoint] : [],
        env: parent ? { ...parent.env } : {},
        expose: parent ? [...parent.expose] : [],
        ...(parent ? { parent } : {}),
      };
      stages.push(current);
      continue;
    }
    if (!current) continue;
    switch (keyword) {
      case 'RUN':
        for (const t of installedBy(raw)) current.installs.add(t);
        break;
      case 'COPY':
      case 'ADD':
        for (const t of TOOLS) if (new RegExp(`(^|/)${t}(\\s|$)`).test(raw)) current.installs.add(t);
        break;
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
        if (args.length === 2 && !args[0]!.includes('=')) current.env[args[0]!] = args[1]!;
        else
          for (const a of args) {
            const eq = a.indexOf('=');
            if (eq > 0) current.env[a.slice(0, eq)] = a.slice(eq + 1).replace(/^"|"$/g, '');
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
  let root: Stage = final;
  while (root.parent) root = root.parent;
  return {
    path: file.path,
    baseImage: root.image,
    baseLine: final.line,
    healthchecks: final.healthchecks,
    installs: [...final.installs],
    cmd: final.cmd,
    entrypoint: final.entrypoint,
    ...(final.cmdLine !== undefined ? { cmdLine: final.cmdLine } : {}),
    env: final.env,
    expose: final.expose,
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
