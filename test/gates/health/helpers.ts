/**
 * Builds the health model of an in-memory tree, the way the engine does for one side of a change.
 */
import { loadParsers } from '../../../src/lang/index.js';
import { buildHealthModel } from '../../../src/gates/health/health-index.js';
import type { HealthModel } from '../../../src/gates/health/model.js';
import { healthOptionsSchema, type HealthOptions } from '../../../src/gates/health/options.js';
import { MemorySnapshot } from '../../../src/source/memory.js';
import { detectServices } from '../../../src/core/services.js';
import { standaloneFacts, type FactsStore } from '../../../src/core/facts.js';

export async function modelOf(
  files: Record<string, string>,
  options: Partial<HealthOptions> = {},
  /** Shared by builds that should reuse each other's facts, as the engine's two sides and later runs do. */
  store?: FactsStore,
): Promise<{ model: HealthModel; errors: string[] }> {
  const snapshot = new MemorySnapshot(files);
  const paths = await snapshot.list();
  const services = detectServices(paths);
  const errors: string[] = [];
  const read = async (path: string) => {
    const r = await snapshot.read(path);
    if (!r.ok) return undefined;
    await loadParsers([r.file.language]);
    return r.file;
  };
  const model = await buildHealthModel({
    side: 'head',
    snapshot,
    paths,
    gateOptions: healthOptionsSchema.parse(options),
    services: services.services,
    serviceOf: services.serviceOf,
    read,
    ...standaloneFacts(snapshot, paths, read, store),
    error: (path, message) => errors.push(`${path}: ${message}`),
    excluded: () => false,
  });
  return { model, errors };
}

/** `GET /healthz (exact)` lines for compact assertions. */
export function routeList(model: HealthModel, root = ''): string[] {
  const svc = model.services.find((s) => s.root === root);
  return (svc?.routes ?? [])
    .map(
      (r) =>
        `${r.method} ${r.path}${r.certainty === 'suffix' ? ' (suffix)' : ''}${r.port !== undefined ? ` :${r.port}` : ''}`,
    )
    .sort();
}
