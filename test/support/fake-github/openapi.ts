/**
 * GitHub's published OpenAPI description (from `@octokit/openapi`) as a request matcher and validator
 * for the fake GitHub API. Loaded lazily, once per process: the api.github.com description is 13 MB of
 * JSON, and most test files never need it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One parameter of an operation, with its `$ref` already resolved. */
export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonObject;
  multiSegment: boolean;
}

/** One operation of the description: method + path template. */
export interface OperationSpec {
  operationId: string;
  method: string;
  template: string;
  parameters: ParameterSpec[];
  requestBody?: { required: boolean; schema?: JsonObject };
  responses: JsonObject;
}

/** What matching a concrete request against the description found. */
export type RouteMatch =
  | { kind: 'operation'; operation: OperationSpec; pathParams: Record<string, string> }
  | { kind: 'unknown-path' }
  | { kind: 'unknown-method'; template: string; allowed: string[] };

/** One validation problem, in the shape GitHub uses inside a 422's `errors` array. */
export interface ValidationProblem {
  /** `body`, `path` or `query`. */
  location: 'body' | 'path' | 'query';
  /** JSON pointer inside the location (`/output/annotations/0/path`) or the parameter name. */
  field: string;
  message: string;
}

interface CompiledRoute {
  template: string;
  regex: RegExp;
  paramNames: string[];
  literalSegments: number;
  multiSegmentParams: number;
  methods: Map<string, OperationSpec>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Keywords of OpenAPI 3.0 schema objects that JSON Schema either lacks or that only document. */
const DOC_ONLY_KEYWORDS = new Set([
  'nullable',
  'example',
  'examples',
  'discriminator',
  'xml',
  'externalDocs',
  'deprecated',
  'readOnly',
  'writeOnly',
  'description',
  'title',
]);

/**
 * The description, indexed for matching, with ajv validators compiled lazily per operation and cached.
 */
export class OpenApiIndex {
  private readonly routesByFirstSegment = new Map<string, CompiledRoute[]>();
  private readonly validators = new Map<string, ValidateFunction>();
  /** Request validation: coerces query strings to their declared types and applies defaults. */
  private readonly requestAjv: Ajv;
  /** Response validation (the fake checking itself): no coercion, no defaults. */
  private readonly responseAjv: Ajv;

  constructor(private readonly spec: JsonObject) {
    this.requestAjv = newAjv({ coerceTypes: true, useDefaults: true });
    this.responseAjv = newAjv({});
    const paths = spec['paths'] as Record<string, JsonObject>;
    for (const [template, item] of Object.entries(paths)) {
      const route = compileTemplate(template, item, this);
      const first = template.split('/')[1] ?? '';
      const bucket = this.routesByFirstSegment.get(first) ?? [];
      bucket.push(route);
      this.routesByFirstSegment.set(first, bucket);
    }
  }

  /** Resolves a local `$ref` (`#/components/parameters/owner`). */
  resolveRef(ref: string): JsonObject {
    let node: Json = this.spec;
    for (const part of ref.replace(/^#\//, '').split('/')) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`bad $ref ${ref}`);
      node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')] ?? null;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`unresolvable $ref ${ref}`);
    return node;
  }

  /**
   * Finds the operation for a concrete method and (still percent-encoded) path. When several templates
   * match (`/repos/{o}/{r}/commits/{ref}` and `…/commits/{ref}/check-runs`), the one with more literal
   * segments wins, as GitHub's router does.
   */
  match(method: string, rawPath: string): RouteMatch {
    const first = rawPath.split('/')[1] ?? '';
    const candidates = [...(this.routesByFirstSegment.get(first) ?? []), ...(this.routesByFirstSegment.get('') ?? [])];
    let best: { route: CompiledRoute; groups: string[] } | undefined;
    for (const route of candidates) {
      const m = route.regex.exec(rawPath);
      if (!m) continue;
      if (
        !best ||
        route.literalSegments > best.route.literalSegments ||
        (route.literalSegments === best.route.literalSegments &&
          route.multiSegmentParams < best.route.multiSegmentParams)
      ) {
        best = { route, groups: m.slice(1) };
      }
    }
    if (!best) return { kind: 'unknown-path' };
    const lower = method.toLowerCase();
    const operation = best.route.methods.get(lower) ?? (lower === 'head' ? best.route.methods.get('get') : undefined);
    if (!operation) {
      return {
        kind: 'unknown-method',
        template: best.route.template,
        allowed: [...best.route.methods.keys()].map((x) => x.toUpperCase()),
      };
    }
    const pathParams: Record<string, string> = {};
    best.route.paramNames.forEach((name, i) => {
      const raw = best.groups[i] ?? '';
      try {
        pathParams[name] = decodeURIComponent(raw);
      } catch {
        pathParams[name] = raw;
      }
    });
    return { kind: 'operation', operation, pathParams };
  }

  /**
   * Validates path and query parameters against their schemas. Returns the coerced values (query
   * strings turned into integers/booleans, defaults such as `per_page: 30` applied) or the problems.
   * Unknown query parameters are passed through untouched: GitHub ignores them too.
   */
  validateParameters(
    operation: OperationSpec,
    pathParams: Record<string, string>,
    query: Record<string, string | string[]>,
  ): { values: Record<string, unknown>; problems: ValidationProblem[] } {
    const problems: ValidationProblem[] = [];
    const values: Record<string, unknown> = { ...query, ...pathParams };
    for (const location of ['path', 'query'] as const) {
      const validate = this.parameterValidator(operation, location);
      if (!validate) continue;
      const subject: Record<string, unknown> = {};
      for (const p of operation.parameters) if (p.in === location && p.name in values) subject[p.name] = values[p.name];
      if (!validate(subject)) {
        for (const e of validate.errors ?? []) {
          const field =
            e.instancePath.replace(/^\//, '') ||
            String((e.params as { missingProperty?: string }).missingProperty ?? '');
          problems.push({ location, field, message: describeAjvError(e) });
        }
      }
      Object.assign(values, subject);
    }
    return { values, problems };
  }

  /** Validates a parsed JSON request body against the operation's `application/json` schema. */
  validateBody(operation: OperationSpec, body: unknown): ValidationProblem[] {
    const schema = operation.requestBody?.schema;
    if (!schema) return [];
    const key = `${operation.operationId}#body`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.requestAjv.compile(this.toJsonSchema(schema, { relaxRequired: false }));
      this.validators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => ({
      location: 'body' as const,
      field: e.instancePath || '/',
      message: describeAjvError(e),
    }));
  }

  /**
   * Checks a response the fake is about to send against the documented response schema, types only:
   * `required` is dropped because the fake deliberately returns trimmed objects (a pull request
   * without its 40 URL templates), but every field it does return must have the documented type.
   */
  validateResponse(operation: OperationSpec, status: number, body: unknown): ValidationProblem[] {
    const response = operation.responses[String(status)] as JsonObject | undefined;
    const resolved = response && typeof response['$ref'] === 'string' ? this.resolveRef(response['$ref']) : response;
    const content = resolved?.['content'] as JsonObject | undefined;
    const schema = (content?.['application/json'] as JsonObject | undefined)?.['schema'] as JsonObject | undefined;
    if (!schema) return [];
    const key = `${operation.operationId}#response${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.responseAjv.compile(this.toJsonSchema(schema, { relaxRequired: true }));
      this.validators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => ({ location: 'body' as const, field: e.instancePath || '/', message: describeAjvError(e) }));
  }

  /** All operations, for tests that want to enumerate them. */
  *operations(): Iterable<OperationSpec> {
    for (const bucket of this.routesByFirstSegment.values()) for (const r of bucket) yield* r.methods.values();
  }

  private parameterValidator(operation: OperationSpec, location: 'path' | 'query'): ValidateFunction | undefined {
    const params = operation.parameters.filter((p) => p.in === location);
    if (params.length === 0) return undefined;
    const key = `${operation.operationId}#${location}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const properties: Record<string, Json> = {};
      for (const p of params) properties[p.name] = p.schema;
      const schema: JsonObject = {
        type: 'object',
        properties,
        required: params.filter((p) => p.required).map((p) => p.name),
      };
      validate = this.requestAjv.compile(this.toJsonSchema(schema, { relaxRequired: false }));
      this.validators.set(key, validate);
    }
    return validate;
  }

  /**
   * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable` becomes a `null` alternative, documentation
   * keywords are dropped, and `#/components/schemas/X` references are copied (transitively, once
   * each) into `definitions` so the result is self-contained and recursive schemas still compile.
   */
  toJsonSchema(schema: JsonObject, options: { relaxRequired: boolean }): JsonObject {
    const definitions: Record<string, Json> = {};
    const pending: string[] = [];
    const convert = (node: Json): Json => {
      if (node === null || typeof node !== 'object') return node;
      if (Array.isArray(node)) return node.map(convert);
      const ref = node['$ref'];
      if (typeof ref === 'string') {
        const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
        if (!m?.[1]) return convert(this.resolveRef(ref));
        const name = m[1];
        if (!(name in definitions)) {
          definitions[name] = true; // placeholder: marks it as queued
          pending.push(name);
        }
        return { $ref: `#/definitions/${name}` };
      }
      const out: JsonObject = {};
      for (const [key, value] of Object.entries(node)) {
        if (DOC_ONLY_KEYWORDS.has(key) || key.startsWith('x-')) continue;
        if (key === 'required' && options.relaxRequired) continue;
        // Without `required`, oneOf alternatives (simple-user | enterprise) overlap; any match will do.
        if (key === 'oneOf' && options.relaxRequired) {
          out['anyOf'] = convert(value);
          continue;
        }
        if (
          (key === 'properties' || key === 'patternProperties') &&
          value &&
          typeof value === 'object' &&
          !Array.isArray(value)
        ) {
          const props: JsonObject = {};
          for (const [name, sub] of Object.entries(value)) props[name] = convert(sub);
          out[key] = props;
        } else if (key === 'enum' || key === 'default' || key === 'const') {
          out[key] = value;
        } else {
          out[key] = convert(value);
        }
      }
      if (node['nullable'] === true) return makeNullable(out);
      return out;
    };
    const root = convert(schema) as JsonObject;
    while (pending.length > 0) {
      const name = pending.shift()!;
      definitions[name] = convert(this.resolveRef(`#/components/schemas/${name}`));
    }
    return { ...root, definitions };
  }
}

/** `nullable: true` as JSON Schema: add `null` to the type (and enum), or wrap in anyOf. */
function makeNullable(schema: JsonObject): JsonObject {
  const type = schema['type'];
  if (typeof type === 'string') {
    const out: JsonObject = { ...schema, type: [type, 'null'] };
    if (Array.isArray(schema['enum'])) out['enum'] = [...schema['enum'], null];
    return out;
  }
  if (Array.isArray(type)) return { ...schema, type: [...type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

function compileTemplate(template: string, item: JsonObject, index: OpenApiIndex): CompiledRoute {
  const methods = new Map<string, OperationSpec>();
  const shared = (item['parameters'] as Json[] | undefined) ?? [];
  for (const method of METHODS) {
    const op = item[method] as JsonObject | undefined;
    if (!op) continue;
    const parameters = [...shared, ...((op['parameters'] as Json[] | undefined) ?? [])].map((raw) => {
      const p =
        raw && typeof raw === 'object' && !Array.isArray(raw) && typeof raw['$ref'] === 'string'
          ? index.resolveRef(raw['$ref'])
          : (raw as JsonObject);
      return {
        name: String(p['name']),
        in: p['in'] as ParameterSpec['in'],
        required: p['required'] === true,
        schema: (p['schema'] as JsonObject | undefined) ?? {},
        multiSegment: p['x-multi-segment'] === true,
      };
    });
    const rb = op['requestBody'] as JsonObject | undefined;
    const rbResolved = rb && typeof rb['$ref'] === 'string' ? index.resolveRef(rb['$ref']) : rb;
    const content = rbResolved?.['content'] as JsonObject | undefined;
    const jsonSchema = (content?.['application/json'] as JsonObject | undefined)?.['schema'] as JsonObject | undefined;
    methods.set(method, {
      operationId: String(op['operationId']),
      method: method.toUpperCase(),
      template,
      parameters,
      ...(rbResolved
        ? { requestBody: { required: rbResolved['required'] === true, ...(jsonSchema ? { schema: jsonSchema } : {}) } }
        : {}),
      responses: (op['responses'] as JsonObject | undefined) ?? {},
    });
  }
  const multi = new Set<string>();
  for (const op of methods.values())
    for (const p of op.parameters) if (p.in === 'path' && p.multiSegment) multi.add(p.name);
  const paramNames: string[] = [];
  let literalSegments = 0;
  const pattern = template
    .split('/')
    .map((segment) => {
      // A segment may mix literals and parameters (`{base}...{head}` is not used, but `{name}.json` might be).
      if (!segment.includes('{')) {
        if (segment) literalSegments++;
        return escapeRegex(segment);
      }
      return segment.replace(/\{([^}]+)\}|([^{]+)/g, (_all, name: string | undefined, literal: string | undefined) => {
        if (literal !== undefined) return escapeRegex(literal);
        paramNames.push(name!);
        return multi.has(name!) ? '(.+)' : '([^/]+)';
      });
    })
    .join('/');
  return {
    template,
    regex: new RegExp(`^${pattern}/?$`),
    paramNames,
    literalSegments,
    multiSegmentParams: multi.size,
    methods,
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function newAjv(extra: { coerceTypes?: boolean; useDefaults?: boolean }): Ajv {
  // strict: false because GitHub's description uses keywords and formats ajv does not know; those are
  // ignored (logger: false keeps "unknown format" warnings out of test output).
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false, ...extra });
  // ajv-formats is CommonJS with `export default`; under NodeNext the callable sits on `.default`.
  const addFormats = (ajvFormats as unknown as { default: (a: Ajv) => Ajv }).default;
  addFormats(ajv);
  return ajv;
}

function describeAjvError(e: ErrorObject): string {
  const where = e.instancePath || 'the value';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'enum') return `${where} ${e.message ?? 'is invalid'}: ${JSON.stringify(params['allowedValues'])}`;
  if (e.keyword === 'required') return `${where} is missing required property "${String(params['missingProperty'])}"`;
  if (e.keyword === 'additionalProperties')
    return `${where} has unknown property "${String(params['additionalProperty'])}"`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

let cached: OpenApiIndex | undefined;

/** The api.github.com description, parsed and indexed once per process. */
export function loadOpenApi(): OpenApiIndex {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    cached = new OpenApiIndex(JSON.parse(readFileSync(file, 'utf8')) as JsonObject);
  }
  return cached;
}
