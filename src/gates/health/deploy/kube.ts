/**
 * Kubernetes manifests (plain or Helm templates): workloads with their containers and probes, Services
 * with their selectors, and what Ingresses/HTTPRoutes expose publicly. Multi-document files and `List`
 * kinds are read; Helm values are resolved where that is certain (see helm.ts).
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { SourceFile } from '../../../lang/source-file.js';
import { templateActions } from '../../../lang/yaml.js';
import type {
  Container,
  ContainerPort,
  Field,
  KubeService,
  Probe,
  ProbeKind,
  PublicBackend,
  ServicePort,
  Workload,
} from '../model.js';
import { HelmTemplate, renderInline, type HelmContext } from './helm.js';
import {
  isMasked,
  yendLine,
  yentries,
  yget,
  yitems,
  ykeyLine,
  yline,
  ynum,
  ypath,
  ysource,
  ystr,
  ystringMap,
  ystrings,
  type YCtx,
  type YNode,
} from './yaml-util.js';

export interface KubeParse {
  workloads: Workload[];
  services: KubeService[];
  publicBackends: PublicBackend[];
  /** Things we could not resolve without running Helm, for an analysis note. */
  notes: Array<{ line: number; message: string }>;
}

const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Pod',
  'Rollout',
  'DeploymentConfig',
  'Job',
  'CronJob',
]);

const PROBE_KEYS: ReadonlyArray<readonly [string, ProbeKind]> = [
  ['livenessProbe', 'liveness'],
  ['readinessProbe', 'readiness'],
  ['startupProbe', 'startup'],
];

/** Cheap test: does this YAML text look like a Kubernetes manifest worth parsing? */
export function looksLikeKube(text: string): boolean {
  return /^\s*kind:\s*["']?[A-Z]/m.test(text) && /^\s*apiVersion:/m.test(text);
}

/** Where a value (possibly from values.yaml) sits, for the probe's `fromValues`. */
interface Reader {
  ctx: YCtx;
  path: string;
}

/** Parses one manifest file. `helm` is set for files under a chart's templates/. */
export function parseKube(file: SourceFile, helm?: HelmContext): KubeParse {
  const out: KubeParse = { workloads: [], services: [], publicBackends: [], notes: [] };
  const parsed = file.yaml();
  if (!parsed) return out;
  const ctx: YCtx = { lc: parsed.lineCounter, text: file.text };
  const template = helm && parsed.templated ? new HelmTemplate(file, helm) : undefined;
  const reader: Reader = { ctx, path: file.path };
  const env = { file, reader, template, out, helm };

  for (const doc of parsed.documents) {
    const root = doc.contents as YNode;
    if (!isMap(root)) continue;
    const kind = ystr(yget(root, 'kind'));
    if (kind === 'List') {
      for (const item of yitems(yget(root, 'items'))) readObject(env, item);
    } else {
      readObject(env, root);
    }
  }
  return out;
}

interface Env {
  file: SourceFile;
  reader: Reader;
  template: HelmTemplate | undefined;
  out: KubeParse;
  helm: HelmContext | undefined;
}

function readObject(env: Env, root: YNode): void {
  const { reader, template, out } = env;
  const ctx = reader.ctx;
  const kind = ystr(yget(root, 'kind'));
  const apiVersion = ystr(yget(root, 'apiVersion')) ?? '';
  if (!kind) return;
  const line = yline(ctx, root);
  if (template && template.presence(line) === 'absent') return;
  const name = metaName(env, yget(root, 'metadata'));
  const namespace = ystr(ypath(root, 'metadata', 'namespace'));
  const chart = env.helm?.chartDir;

  if (kind === 'Service' && (apiVersion === 'v1' || apiVersion === '')) {
    const spec = yget(root, 'spec');
    const selectorNode = yget(spec, 'selector');
    const ports: ServicePort[] = yitems(yget(spec, 'ports')).map((p) => {
      const target = yget(p, 'targetPort');
      const port = scalarNumber(env, yget(p, 'port'));
      const targetValue = scalarNumber(env, target) ?? ystr(target) ?? templatedText(env, target);
      return {
        ...(port !== undefined ? { port } : {}),
        ...(targetValue !== undefined ? { targetPort: targetValue } : {}),
        line: yline(ctx, p),
      };
    });
    out.services.push({
      path: env.file.path,
      name,
      ...(namespace ? { namespace } : {}),
      loc: { path: env.file.path, line },
      selector: labelMap(env, selectorNode),
      selectorIncludes: includesIn(env, spec, 'selector'),
      type: ystr(yget(spec, 'type')) ?? 'ClusterIP',
      ports,
      ...(chart !== undefined ? { chart } : {}),
    });
    return;
  }

  if (kind === 'Ingress') {
    const spec = yget(root, 'spec');
    const backends: YNode[] = [yget(spec, 'defaultBackend'), yget(spec, 'backend')];
    for (const rule of yitems(yget(spec, 'rules')))
      for (const p of yitems(ypath(rule, 'http', 'paths'))) backends.push(yget(p, 'backend'));
    for (const b of backends) {
      if (!b) continue;
      const svc = yget(b, 'service');
      const svcName = ystr(yget(svc, 'name')) ?? ystr(yget(b, 'serviceName')) ?? templatedText(env, yget(svc, 'name'));
      if (!svcName) continue;
      const port =
        ynum(ypath(svc, 'port', 'number')) ?? ystr(ypath(svc, 'port', 'name')) ?? ynum(yget(b, 'servicePort'));
      out.publicBackends.push({
        service: svcName,
        ...(namespace ? { namespace } : {}),
        ...(port !== undefined ? { port } : {}),
        loc: { path: env.file.path, line: yline(ctx, b) },
      });
    }
    return;
  }

  if (kind === 'HTTPRoute' || kind === 'GRPCRoute') {
    for (const rule of yitems(ypath(root, 'spec', 'rules'))) {
      for (const ref of yitems(yget(rule, 'backendRefs'))) {
        const svcName = ystr(yget(ref, 'name'));
        if (!svcName || (ystr(yget(ref, 'kind')) ?? 'Service') !== 'Service') continue;
        const port = ynum(yget(ref, 'port'));
        out.publicBackends.push({
          service: svcName,
          ...(namespace ? { namespace } : {}),
          ...(port !== undefined ? { port } : {}),
          loc: { path: env.file.path, line: yline(ctx, ref) },
        });
      }
    }
    return;
  }

  if (!WORKLOAD_KINDS.has(kind)) return;
  const template_ =
    kind === 'Pod'
      ? root
      : kind === 'CronJob'
        ? ypath(root, 'spec', 'jobTemplate', 'spec', 'template')
        : ypath(root, 'spec', 'template');
  if (!isMap(template_)) return;
  const podSpec = kind === 'Pod' ? yget(root, 'spec') : yget(template_, 'spec');
  if (!isMap(podSpec)) return;
  const metadata = kind === 'Pod' ? yget(root, 'metadata') : yget(template_, 'metadata');
  const grace = field(env, podSpec, 'terminationGracePeriodSeconds');
  const workload: Workload = {
    path: env.file.path,
    kind,
    name,
    ...(namespace ? { namespace } : {}),
    loc: { path: env.file.path, line },
    labels: labelMap(env, yget(metadata, 'labels')),
    labelIncludes: includesIn(env, metadata, 'labels'),
    containers: [],
    ...(grace ? { terminationGracePeriodSeconds: grace } : {}),
    podSpecLine: ykeyLine(ctx, kind === 'Pod' ? root : template_, 'spec') || line,
    runToCompletion: kind === 'Job' || kind === 'CronJob',
    ...(chart !== undefined ? { chart } : {}),
    readinessGates: yitems(yget(podSpec, 'readinessGates')).length > 0,
  };
  for (const c of yitems(yget(podSpec, 'containers'))) {
    if (template && template.presence(yline(ctx, c)) === 'absent') continue;
    const container = readContainer(env, c, Math.max(yendLine(ctx, c), blockEnd(env.file.lines(), yline(ctx, c))));
    if (container) workload.containers.push(container);
  }
  out.workloads.push(workload);
}

function metaName(env: Env, metadata: YNode): string {
  const n = yget(metadata, 'name');
  return ystr(n) ?? templatedText(env, n) ?? '(unnamed)';
}

/** The raw template text of a masked scalar (for comparing `{{ .Release.Name }}` with itself). */
function templatedText(env: Env, node: YNode): string | undefined {
  if (!isMasked(node)) return undefined;
  return ysource(env.reader.ctx, node).trim();
}

/** Labels or a selector: literal values, plus masked values as their template text. */
function labelMap(env: Env, node: YNode): Record<string, string> {
  const out = ystringMap(node);
  for (const { key, value } of yentries(env.reader.ctx, node)) {
    if (out[key] !== undefined) continue;
    const resolved = env.template ? env.template.resolveScalar(ysource(env.reader.ctx, value)) : undefined;
    if (resolved) out[key] = String(resolved.value);
    else {
      const t = templatedText(env, value);
      if (t) out[key] = t;
    }
  }
  return out;
}

/** Helm `include "x.selectorLabels"` actions under a key (labels and selectors are often only that). */
function includesIn(env: Env, parent: YNode, key: string): string[] {
  if (!env.template || !isMap(parent)) return [];
  const keyLine = ykeyLine(env.reader.ctx, parent, key);
  if (!keyLine) return [];
  const lines = env.file.lines();
  const end = blockEnd(lines, keyLine);
  const out: string[] = [];
  for (let l = keyLine; l <= end; l++) {
    for (const m of (lines[l - 1] ?? '').matchAll(/include\s+"([^"]+)"/g)) out.push(m[1]!);
  }
  return out;
}

/**
 * The last line of the block under the key on `keyLine`: following lines that are blank or indented
 * deeper than the key (template action lines included, which the masked parse does not see).
 */
export function blockEnd(lines: readonly string[], keyLine: number): number {
  const indent = (l: string) => l.length - l.trimStart().length;
  const keyText = lines[keyLine - 1] ?? '';
  // For `- name: x` the item's keys sit deeper than the dash, so the dash's column bounds the block.
  const keyIndent = indent(keyText);
  let end = keyLine;
  for (let l = keyLine + 1; l <= lines.length; l++) {
    const text = lines[l - 1] ?? '';
    if (text.trim() === '') continue;
    if (indent(text) <= keyIndent) break;
    end = l;
  }
  return end;
}

function scalarNumber(env: Env, node: YNode): number | undefined {
  const n = ynum(node);
  if (n !== undefined) return n;
  if (env.template && isMasked(node)) {
    const r = env.template.resolveScalar(ysource(env.reader.ctx, node));
    if (r && typeof r.value === 'number') return r.value;
    if (r && typeof r.value === 'string' && /^\d+$/.test(r.value)) return Number(r.value);
  }
  return undefined;
}

function scalarString(env: Env, node: YNode): string | undefined {
  const s = ystr(node);
  if (s !== undefined && env.template && /_{4,}/.test(s))
    return renderInline(env.template, ysource(env.reader.ctx, node));
  if (s !== undefined) return s;
  if (env.template && isMasked(node)) {
    const r = env.template.resolveScalar(ysource(env.reader.ctx, node));
    if (r) return String(r.value);
  }
  return undefined;
}

function field(env: Env, node: YNode, key: string): Field<number> | undefined {
  const v = yget(node, key);
  const n = scalarNumber(env, v);
  return n === undefined ? undefined : { value: n, line: ykeyLine(env.reader.ctx, node, key) };
}

/** Own-line template actions between `from` and `to`, excluding control actions. */
function ownLineActions(env: Env, from: number, to: number): Array<{ line: number; action: string }> {
  const lines = env.file.lines();
  const out: Array<{ line: number; action: string }> = [];
  for (let l = from; l <= to && l <= lines.length; l++) {
    const text = lines[l - 1] ?? '';
    const trimmed = text.trim();
    if (!trimmed.startsWith('{{')) continue;
    for (const action of templateActions(text, { skipDollar: false })) {
      const a = action.inner;
      if (/^(if|else|end|with|range|define|block|\/\*)/.test(a) || a === '') continue;
      out.push({ line: l, action: a });
    }
  }
  return out;
}

function readContainer(env: Env, node: YNode, endLine: number): Container | undefined {
  if (!isMap(node)) return undefined;
  const ctx = env.reader.ctx;
  const name = scalarString(env, yget(node, 'name')) ?? templatedText(env, yget(node, 'name')) ?? '(unnamed)';
  const line = yline(ctx, node);
  const ports: ContainerPort[] = [];
  let portsUnresolved = env.template !== undefined && !isSeq(yget(node, 'ports')) && yget(node, 'ports') !== undefined;
  for (const p of yitems(yget(node, 'ports'))) {
    const containerPort = scalarNumber(env, yget(p, 'containerPort'));
    if (containerPort === undefined || isMasked(yget(p, 'name'))) portsUnresolved = true;
    if (containerPort === undefined) continue;
    const pname = scalarString(env, yget(p, 'name'));
    ports.push({ ...(pname ? { name: pname } : {}), containerPort, line: yline(ctx, p) });
  }
  const envVars: Record<string, string> = {};
  const opaqueEnv: string[] = [];
  for (const e of yitems(yget(node, 'env'))) {
    const ename = ystr(yget(e, 'name'));
    if (!ename) continue;
    const value = scalarString(env, yget(e, 'value'));
    if (value !== undefined && yget(e, 'valueFrom') === undefined) envVars[ename] = value;
    else opaqueEnv.push(ename);
  }
  if (yget(node, 'envFrom') !== undefined) opaqueEnv.push('*');
  const container: Container = {
    name,
    loc: { path: env.file.path, line },
    ...(scalarString(env, yget(node, 'image')) ? { image: scalarString(env, yget(node, 'image'))! } : {}),
    ports,
    ...(portsUnresolved ? { portsUnresolved } : {}),
    env: envVars,
    opaqueEnv,
    command: ystrings(yget(node, 'command')),
    args: ystrings(yget(node, 'args')),
    probes: {},
    unresolvedProbes: [],
  };

  const entries = yentries(ctx, node);
  const keyLines = entries.map((e) => e.line).sort((a, b) => a - b);
  const nextKeyAfter = (l: number) => keyLines.find((k) => k > l);

  for (const [key, kind] of PROBE_KEYS) {
    const pair = entries.find((e) => e.key === key);
    if (!pair) continue;
    if (env.template && env.template.presence(pair.line) === 'absent') continue;
    const value = pair.value;
    if (isMap(value)) {
      const probe = readProbe(env, env.reader, kind, pair.line, value, ports);
      if (probe) container.probes[kind] = probe;
      continue;
    }
    // A templated probe: `livenessProbe:` followed by `{{- toYaml .Values.x | nindent 12 }}`.
    const until = Math.min(
      (nextKeyAfter(pair.line) ?? Number.MAX_SAFE_INTEGER) - 1,
      blockEnd(env.file.lines(), pair.line),
    );
    const actions = env.template ? ownLineActions(env, pair.line, until).map((a) => a.action) : [];
    const inline = isMasked(value)
      ? [
          ysource(ctx, value)
            .replace(/^\{\{-?|-?\}\}$/g, '')
            .trim(),
        ]
      : [];
    const ref = env.template?.resolveBlock([...inline, ...actions], pair.line + 1);
    if (ref && isMap(ref.node) && env.helm?.values) {
      const vreader: Reader = { ctx: env.helm.values.ctx, path: env.helm.values.path };
      const probe = readProbe(env, vreader, kind, pair.line, ref.node, ports);
      if (probe) {
        probe.fromValues = { path: vreader.path, line: yline(vreader.ctx, ref.node) };
        container.probes[kind] = probe;
      }
    } else if (ref && (ref.node === null || (isScalar(ref.node) && (ref.node as { value: unknown }).value === null))) {
      // `livenessProbe: {}` / null in values: Helm renders no probe.
    } else {
      container.unresolvedProbes.push(kind);
      env.out.notes.push({
        line: pair.line,
        message: `the ${key} of container "${name}" comes from a template expression the health gate cannot resolve without running Helm; it was not checked`,
      });
    }
  }

  // Template actions at the container level may inject probes we cannot see.
  if (env.template) {
    const valueRanges = entries
      .filter((e) => e.value && !(isScalar(e.value) && (e.value as { value: unknown }).value === null))
      .map((e) => [e.line, yendLine(ctx, e.value)] as const);
    const nullKeys = entries
      .filter((e) => !e.value || (isScalar(e.value) && (e.value as { value: unknown }).value === null))
      .map((e) => e.line);
    for (const a of ownLineActions(env, line, endLine)) {
      if (valueRanges.some(([s, e]) => a.line >= s && a.line <= e)) continue;
      const preceding = keyLines.filter((k) => k < a.line).pop();
      if (preceding !== undefined && nullKeys.includes(preceding)) continue; // the value of that key
      const ref = env.template.resolveBlock([a.action], a.line);
      if (ref && isMap(ref.node) && env.helm?.values) {
        const vreader: Reader = { ctx: env.helm.values.ctx, path: env.helm.values.path };
        for (const [key, kind] of PROBE_KEYS) {
          const pv = yget(ref.node, key);
          if (!isMap(pv) || container.probes[kind]) continue;
          const probe = readProbe(env, vreader, kind, a.line, pv, ports);
          if (probe) {
            probe.fromValues = { path: vreader.path, line: ykeyLine(vreader.ctx, ref.node, key) };
            container.probes[kind] = probe;
          }
        }
        continue;
      }
      for (const [, kind] of PROBE_KEYS)
        if (!container.probes[kind] && !container.unresolvedProbes.includes(kind))
          container.unresolvedProbes.push(kind);
      env.out.notes.push({
        line: a.line,
        message: `container "${name}" includes \`${a.action.slice(0, 60)}\`, which the health gate cannot render without Helm; its missing probes were not judged`,
      });
    }
  }

  const preStop = ypath(node, 'lifecycle', 'preStop');
  if (preStop) {
    const sleep = yget(yget(preStop, 'sleep'), 'seconds');
    const seconds = scalarNumber(env, sleep);
    const exec = ystrings(ypath(preStop, 'exec', 'command'));
    const execSleep = sleepSeconds(exec);
    const pl = yline(ctx, preStop) || line;
    if (seconds !== undefined) container.preStopSeconds = { value: seconds, line: pl };
    else if (execSleep !== undefined) container.preStopSeconds = { value: execSleep, line: pl };
    else container.preStopOpaque = { path: env.file.path, line: pl };
  }
  return container;
}

/** `["sleep", "10"]`, `["/bin/sh", "-c", "sleep 10"]`, `["sh","-c","sleep 5 && nginx -s quit"]` → seconds. */
export function sleepSeconds(argv: readonly string[]): number | undefined {
  const text = argv.join(' ');
  const m = /(?:^|[\s;&|'"])(?:\/bin\/)?sleep\s+(\d+(?:\.\d+)?)s?\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function readProbe(
  env: Env,
  reader: Reader,
  kind: ProbeKind,
  keyLine: number,
  node: Node,
  ports: readonly ContainerPort[],
): Probe | undefined {
  const ctx = reader.ctx;
  const sub: Env = reader === env.reader ? env : { ...env, reader, template: undefined };
  const num = (key: string): Field<number> | undefined => field(sub, node, key);
  const probe: Probe = {
    kind,
    loc: { path: reader.path, line: reader === env.reader ? keyLine : yline(ctx, node) },
    targetLine: reader === env.reader ? keyLine : yline(ctx, node),
    type: 'unknown',
  };
  const http = yget(node, 'httpGet');
  const tcp = yget(node, 'tcpSocket');
  const exec = yget(node, 'exec');
  const grpc = yget(node, 'grpc');
  const portOf = (holder: YNode) => {
    const p = yget(holder, 'port');
    const n = scalarNumber(sub, p);
    const s = n === undefined ? scalarString(sub, p) : undefined;
    if (n !== undefined) {
      probe.port = n;
      probe.resolvedPort = n;
    } else if (s !== undefined) {
      probe.port = s;
      const named = ports.find((cp) => cp.name === s);
      if (named) probe.resolvedPort = named.containerPort;
    }
    const pl = ykeyLine(ctx, holder, 'port');
    if (pl) probe.portLine = pl;
  };
  if (isMap(http)) {
    probe.type = 'http';
    const path = scalarString(sub, yget(http, 'path'));
    probe.path = path ?? '/';
    probe.targetLine = ykeyLine(ctx, http, 'path') || yline(ctx, http) || probe.targetLine;
    portOf(http);
  } else if (isMap(tcp)) {
    probe.type = 'tcp';
    portOf(tcp);
    probe.targetLine = probe.portLine ?? (yline(ctx, tcp) || probe.targetLine);
  } else if (isMap(exec)) {
    probe.type = 'exec';
    probe.command = ystrings(yget(exec, 'command'));
    probe.targetLine = ykeyLine(ctx, exec, 'command') || probe.targetLine;
  } else if (isMap(grpc)) {
    probe.type = 'grpc';
    portOf(grpc);
    const svc = scalarString(sub, yget(grpc, 'service'));
    if (svc !== undefined) probe.grpcService = svc;
    probe.targetLine = probe.portLine ?? (yline(ctx, grpc) || probe.targetLine);
  } else if (!isSeq(node)) {
    probe.type = 'unknown';
  }
  const fields = [
    'initialDelaySeconds',
    'periodSeconds',
    'timeoutSeconds',
    'failureThreshold',
    'successThreshold',
  ] as const;
  for (const f of fields) {
    const v = num(f);
    if (v) probe[f] = v;
  }
  return probe;
}
