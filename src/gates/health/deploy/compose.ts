/**
 * docker-compose files: services with their health checks, `depends_on` conditions, build contexts,
 * published ports, environment and command.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../../../lang/source-file.js';
import type { ComposeHealthcheck, ComposeService } from '../model.js';
import { shellWords } from './commands.js';
import { yentries, yget, yitems, ykeyLine, yline, ynum, ystr, ystrings, type YCtx, type YNode } from './yaml-util.js';
import { dirOf } from '../../../lang/program/paths.js';

/** `docker-compose.yml`, `compose.yaml`, `docker-compose.prod.yml`, `compose.override.yaml`… */
export function isComposePath(path: string): boolean {
  return /(^|\/)(docker-)?compose(\.[\w-]+)*\.ya?ml$/i.test(path);
}

/** Joins a compose-relative path to the compose file's directory, normalising `.` and `..`. */
export function joinPath(dir: string, rel: string): string {
  if (rel.startsWith('/')) return rel.replace(/^\/+/, '');
  const parts = dir ? dir.split('/') : [];
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/** Parses the services of one compose file. */
export function parseCompose(file: SourceFile): ComposeService[] {
  const parsed = file.yaml();
  if (!parsed || parsed.templated) return [];
  const ctx: YCtx = { lc: parsed.lineCounter, text: file.text };
  const out: ComposeService[] = [];
  const dir = dirOf(file.path);
  for (const doc of parsed.documents) {
    const services = yget(doc.contents as YNode, 'services');
    for (const { key: name, value, line } of yentries(ctx, services)) {
      if (!isMap(value)) continue;
      const svc: ComposeService = {
        path: file.path,
        name,
        loc: { path: file.path, line },
        dependsOn: [],
        ports: [],
        env: {},
        command: [],
      };
      const image = ystr(yget(value, 'image'));
      if (image) svc.image = image;
      const containerName = ystr(yget(value, 'container_name'));
      if (containerName) svc.containerName = containerName;
      const build = yget(value, 'build');
      if (isScalar(build)) {
        const c = ystr(build);
        if (c) svc.buildContext = joinPath(dir, c);
      } else if (isMap(build)) {
        const c = ystr(yget(build, 'context')) ?? '.';
        svc.buildContext = joinPath(dir, c);
        const df = ystr(yget(build, 'dockerfile'));
        if (df) svc.dockerfile = joinPath(svc.buildContext, df);
        const target = ystr(yget(build, 'target'));
        if (target) svc.buildTarget = target;
      }
      const hc = readHealthcheck(ctx, file.path, value);
      if (hc) svc.healthcheck = hc;
      const deps = yget(value, 'depends_on');
      if (isSeq(deps)) {
        for (const d of yitems(deps)) {
          const s = ystr(d);
          if (s) svc.dependsOn.push({ service: s, line: yline(ctx, d) });
        }
      } else if (isMap(deps)) {
        for (const d of yentries(ctx, deps)) {
          const condition = ystr(yget(d.value, 'condition'));
          svc.dependsOn.push({
            service: d.key,
            ...(condition ? { condition } : {}),
            line: ykeyLine(ctx, d.value, 'condition') || d.line,
          });
        }
      }
      for (const p of yitems(yget(value, 'ports'))) {
        const parsedPort = parsePortSpec(p);
        if (parsedPort) svc.ports.push({ ...parsedPort, line: yline(ctx, p) });
      }
      const environment = yget(value, 'environment');
      if (isMap(environment)) {
        for (const e of yentries(ctx, environment)) {
          const v = ystr(e.value);
          if (v !== undefined) svc.env[e.key] = v;
        }
      } else {
        for (const e of ystrings(environment)) {
          const eq = e.indexOf('=');
          if (eq > 0) svc.env[e.slice(0, eq)] = e.slice(eq + 1);
        }
      }
      const command = yget(value, 'command');
      svc.command = isScalar(command) ? shellWords(ystr(command) ?? '') : ystrings(command);
      out.push(svc);
    }
  }
  return out;
}

function parsePortSpec(node: YNode): { published?: number; target: number } | undefined {
  if (isMap(node)) {
    const target = ynum(yget(node, 'target'));
    const published = ynum(yget(node, 'published'));
    return target === undefined ? undefined : { target, ...(published !== undefined ? { published } : {}) };
  }
  const s = ystr(node);
  if (!s) return undefined;
  const spec = s.replace(/\/(tcp|udp)$/, '');
  const parts = spec.split(':');
  const target = Number(parts[parts.length - 1]);
  if (!Number.isInteger(target)) return undefined;
  const published = parts.length >= 2 ? Number(parts[parts.length - 2]) : undefined;
  return { target, ...(published !== undefined && Number.isInteger(published) ? { published } : {}) };
}

function readHealthcheck(ctx: YCtx, path: string, service: YNode): ComposeHealthcheck | undefined {
  const node = yget(service, 'healthcheck');
  if (!isMap(node)) return undefined;
  const line = ykeyLine(ctx, service, 'healthcheck');
  const disabled = yget(node, 'disable');
  const test = yget(node, 'test');
  const testLine = ykeyLine(ctx, node, 'test') || line;
  const base = { loc: { path, line }, testLine, disabled: isScalar(disabled) && disabled.value === true };
  if (isScalar(test)) {
    const s = ystr(test) ?? '';
    return { ...base, form: 'CMD-SHELL', argv: [s] };
  }
  const items = ystrings(test);
  const [first, ...rest] = items;
  if (first === 'NONE') return { ...base, form: 'NONE', argv: [], disabled: true };
  if (first === 'CMD' || first === 'CMD-SHELL') return { ...base, form: first, argv: rest };
  if (items.length === 0) return { ...base, form: 'invalid', argv: [] };
  return { ...base, form: 'invalid', argv: items };
}
