import type { RepoRule } from '../../../core/types.js';
import { changedPaths, modelOf, related, touches } from '../analysis.js';
import { programsOf, shellWords } from '../deploy/commands.js';
import { imageTools, type ImageTools } from '../deploy/dockerfile.js';
import { dockerfileFor } from '../health-index.js';
import type { Dockerfile } from '../model.js';

/**
 * health/healthcheck-tool-missing: a Dockerfile HEALTHCHECK or a Compose healthcheck runs curl or wget
 * (or needs a shell) in an image that has none — distroless, scratch, Chainguard, slim Debian, Alpine
 * without curl — and nothing installs it. The check fails forever and the container is "unhealthy".
 */
export const rule: RepoRule = {
  scope: 'repo',
  meta: {
    id: 'health/healthcheck-tool-missing',
    gate: 'health',
    severity: 'warning',
    description:
      'A HEALTHCHECK or Compose healthcheck runs curl/wget or a shell that the image does not contain (distroless, scratch, slim, Alpine without curl).',
    messages: {
      tool: 'This health check runs `{{tool}}`, but {{image}} does not contain it ({{why}}) and {{where}} installs it. The check fails on every run, so the container is always "unhealthy"{{impact}}.',
      shell:
        'This health check is written in shell form, which runs `/bin/sh -c …`, but {{image}} has no shell ({{why}}). It fails on every run, so the container is always "unhealthy"{{impact}}.',
    },
    fixes: {
      tool: 'Check with the runtime the image already has, e.g. `HEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:{{port}}{{path}}\').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]` (or `python -c "import urllib.request, sys; urllib.request.urlopen(\'http://127.0.0.1:{{port}}{{path}}\')"`), {{alternative}}',
      shell:
        'Use the exec form with a binary the image has: `HEALTHCHECK CMD ["/nodejs/bin/node", "/app/healthcheck.js"]` for distroless Node, or a small static health-check binary copied in from a build stage.',
    },
  },
  check(ctx) {
    const model = modelOf(ctx);
    const changed = changedPaths(ctx);
    const composeBuilt = new Set<string>();
    for (const s of model.compose) {
      if (s.buildContext === undefined) continue;
      const d = dockerfileFor(model, undefined, s);
      if (d) composeBuilt.add(d.path);
    }
    for (const d of model.dockerfiles) {
      const hc = d.healthchecks[d.healthchecks.length - 1];
      if (!hc || hc.form === 'none' || !d.baseImage) continue;
      if (!touches(changed, d.path)) continue;
      const tools = imageTools(d.baseImage);
      if (!tools) continue;
      const words = hc.form === 'shell' ? shellWords(hc.text) : hc.argv;
      const severity = composeBuilt.has(d.path) ? ('blocker' as const) : ('warning' as const);
      const impact = composeBuilt.has(d.path)
        ? ' and every Compose service that waits for it with `condition: service_healthy` never starts'
        : '';
      judge(ctx, {
        words,
        shell: hc.form === 'shell',
        tools,
        image: `the base image \`${d.baseImage}\``,
        dockerfile: d,
        where: 'no stage of this Dockerfile',
        impact,
        severity,
        path: d.path,
        line: hc.loc.line,
        key: 'dockerfile',
      });
    }
    for (const s of model.compose) {
      const hc = s.healthcheck;
      if (!hc || hc.disabled || hc.form === 'NONE' || hc.form === 'invalid') continue;
      if (!touches(changed, s.path)) continue;
      const d = s.buildContext !== undefined ? dockerfileFor(model, undefined, s) : undefined;
      const image = d?.baseImage ?? s.image;
      if (!image) continue;
      const tools = imageTools(image);
      if (!tools) continue;
      const words = hc.form === 'CMD-SHELL' ? shellWords(hc.argv.join(' ')) : hc.argv;
      judge(ctx, {
        words,
        shell: hc.form === 'CMD-SHELL',
        tools,
        image: d ? `the base image \`${image}\` of ${d.path}` : `the image \`${image}\``,
        ...(d ? { dockerfile: d } : {}),
        where: d ? `no stage of ${d.path}` : 'nothing',
        impact: ', and services that depend on it with `condition: service_healthy` never start',
        severity: 'blocker',
        path: s.path,
        line: hc.testLine,
        key: `compose/${s.name}`,
      });
    }
  },
};

interface Judge {
  words: string[];
  shell: boolean;
  tools: ImageTools;
  image: string;
  dockerfile?: Dockerfile;
  where: string;
  impact: string;
  severity: 'blocker' | 'warning';
  path: string;
  line: number;
  key: string;
}

function judge(ctx: Parameters<RepoRule['check']>[0], j: Judge): void {
  const installs = new Set(j.dockerfile?.installs ?? []);
  const rel = j.dockerfile?.baseLine
    ? [related({ path: j.dockerfile.path, line: j.dockerfile.baseLine }, 'the final stage starts here')]
    : [];
  if (j.shell && j.tools.shell === false) {
    ctx.report({
      messageId: 'shell',
      severity: j.severity,
      data: {
        image: j.image,
        why: j.tools.why,
        impact: j.impact,
        tool: '',
        where: j.where,
        port: '',
        path: '',
        alternative: '',
      },
      path: j.path,
      line: j.line,
      related: rel,
      key: j.key,
    });
    return;
  }
  const programs = j.shell ? programsOf(j.words) : j.words.slice(0, 1).map((w) => w.slice(w.lastIndexOf('/') + 1));
  for (const tool of programs) {
    if (tool !== 'curl' && tool !== 'wget') continue;
    if (j.tools[tool] !== false || installs.has(tool)) continue;
    const url = j.words.find((w) => /^https?:\/\//.test(w));
    let port = '3000';
    let path = '/healthz';
    try {
      if (url) {
        const u = new URL(url);
        port = u.port || '80';
        path = u.pathname;
      }
    } catch {
      // keep the placeholders
    }
    const alternative =
      tool === 'curl' && j.tools.wget
        ? 'or use `wget -q -O /dev/null` (busybox has it).'
        : `or install ${tool} in the final stage.`;
    ctx.report({
      messageId: 'tool',
      severity: j.severity,
      data: { tool, image: j.image, why: j.tools.why, where: j.where, impact: j.impact, port, path, alternative },
      path: j.path,
      line: j.line,
      related: rel,
      key: `${j.key}:${tool}`,
    });
    return;
  }
}
