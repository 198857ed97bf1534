/**
 * Prometheus naming conventions, as `promtool check metrics` (client_golang promlint) applies them:
 * counters end in `_total` and nothing else does, base units, no abbreviated units, snake_case metric
 * and label names, `_bucket`/`_count`/`_sum` and `le`/`quantile` only where they belong, no `:`, no type
 * in the name. Implemented from the rule descriptions; judged on the name the library exposes.
 */
import type { IndexedMetric, MetricType } from './model.js';

/** Unit word → its base unit (promlint units table). */
const UNITS: Readonly<Record<string, string>> = {
  amperes: 'amperes',
  bytes: 'bytes',
  celsius: 'celsius',
  grams: 'grams',
  joules: 'joules',
  kelvin: 'kelvin',
  meters: 'meters',
  metres: 'metres',
  seconds: 'seconds',
  volts: 'volts',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kelvins: 'kelvin',
  fahrenheit: 'celsius',
  rankine: 'celsius',
  inches: 'meters',
  yards: 'meters',
  miles: 'meters',
  bits: 'bytes',
  calories: 'joules',
  pounds: 'grams',
  ounces: 'grams',
};
const PREFIXES = [
  'pico',
  'nano',
  'micro',
  'milli',
  'centi',
  'deci',
  'deca',
  'hecto',
  'kilo',
  'kibi',
  'mega',
  'mibi',
  'giga',
  'gibi',
  'tera',
  'tebi',
  'peta',
  'pebi',
];
/** Abbreviations promlint discourages (as whole `_`-separated words), and what to write instead. */
const ABBREVIATIONS: Readonly<Record<string, string | undefined>> = {
  s: 'seconds',
  ms: 'seconds',
  us: 'seconds',
  ns: 'seconds',
  sec: 'seconds',
  b: 'bytes',
  kb: 'bytes',
  mb: 'bytes',
  gb: 'bytes',
  tb: 'bytes',
  pb: 'bytes',
  m: undefined,
  h: 'seconds',
  d: 'seconds',
};
const TYPE_WORDS = ['counter', 'gauge', 'summary', 'histogram', 'gauge_histogram'];
const CAMEL = /[a-z][A-Z]/;

export interface NamingProblem {
  /** The promlint wording, for the message. */
  text: string;
  /** Only "type in name" is a notice; everything else is a warning. */
  minor?: boolean;
}

/** The first unit word of a name and its base unit (promlint `metricUnits`). */
export function unitOf(name: string): { unit: string; base: string } | undefined {
  for (const word of name.split('_')) {
    const base = UNITS[word];
    if (base) return { unit: word, base };
    for (const p of PREFIXES) {
      if (word.startsWith(p)) {
        const b = UNITS[word.slice(p.length)];
        if (b) return { unit: word, base: b };
      }
    }
  }
  return undefined;
}

/** The name a Prometheus scrape sees for a metric (Python counters get `_total` on exposition). */
export function exposedName(def: IndexedMetric): string {
  const full = def.fullName!;
  if (def.library === 'prometheus_client' && def.type === 'counter') return `${full}_total`;
  if (def.library === 'prometheus_client' && def.type === 'info') return `${full}_info`;
  return full;
}

function promType(t: MetricType): 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' {
  return t === 'info' || t === 'enum' ? 'gauge' : t;
}

/** Every convention the metric breaks. */
export function namingProblems(def: IndexedMetric): NamingProblem[] {
  const name = exposedName(def);
  const type = promType(def.type);
  const out: NamingProblem[] = [];
  const lower = name.toLowerCase();
  if (type === 'counter' && !name.endsWith('_total')) out.push({ text: 'counter metrics should have "_total" suffix' });
  if (type !== 'counter' && type !== 'untyped' && name.endsWith('_total'))
    out.push({ text: 'non-counter metrics should not have "_total" suffix' });
  const unit = unitOf(name);
  if (unit && unit.unit !== unit.base) out.push({ text: `use base unit "${unit.base}" instead of "${unit.unit}"` });
  if (lower.split('_').some((w) => w in ABBREVIATIONS))
    out.push({ text: 'metric names should not contain abbreviated units' });
  if (CAMEL.test(name)) out.push({ text: "metric names should be written in 'snake_case' not 'camelCase'" });
  for (const label of def.labels ?? []) {
    if (CAMEL.test(label)) {
      out.push({ text: `label names should be written in 'snake_case' not 'camelCase' ("${label}")` });
      break;
    }
  }
  if (type !== 'untyped') {
    if (type !== 'histogram' && name.endsWith('_bucket'))
      out.push({ text: 'non-histogram metrics should not have "_bucket" suffix' });
    if (type !== 'histogram' && type !== 'summary' && name.endsWith('_count'))
      out.push({ text: 'non-histogram and non-summary metrics should not have "_count" suffix' });
    if (type !== 'histogram' && type !== 'summary' && name.endsWith('_sum'))
      out.push({ text: 'non-histogram and non-summary metrics should not have "_sum" suffix' });
    if (type !== 'histogram' && def.labels?.includes('le'))
      out.push({ text: 'non-histogram metrics should not have "le" label' });
    if (type !== 'summary' && def.labels?.includes('quantile'))
      out.push({ text: 'non-summary metrics should not have "quantile" label' });
  }
  if (name.includes(':')) out.push({ text: "metric names should not contain ':' (reserved for recording rules)" });
  for (const t of TYPE_WORDS) {
    if (lower.includes(`_${t}_`) || lower.endsWith(`_${t}`))
      out.push({ text: `metric name should not include type '${t}'`, minor: true });
  }
  if (def.library === 'client_golang' && (def.help === undefined || def.help === ''))
    out.push({ text: 'no help text' });
  return out;
}

/** A name that follows the conventions, for the fix text (values must then be recorded in base units). */
export function suggestedName(def: IndexedMetric): string {
  const type = promType(def.type);
  let words = exposedName(def)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/:/g, '_')
    .split('_')
    .filter((w) => w !== '');
  words = words.map((w) => {
    const u = unitOf(w);
    if (u) return u.base;
    const abbr = ABBREVIATIONS[w];
    return abbr ?? w;
  });
  words = words.filter((w) => !TYPE_WORDS.includes(w));
  if (words[words.length - 1] === 'total') words.pop();
  if (
    type !== 'histogram' &&
    type !== 'summary' &&
    (words[words.length - 1] === 'count' || words[words.length - 1] === 'sum')
  )
    words.pop();
  if (type !== 'histogram' && words[words.length - 1] === 'bucket') words.pop();
  // A unit belongs at the end, before `_total`.
  const unitAt = words.findIndex((w) => UNITS[w] !== undefined);
  if (unitAt !== -1 && unitAt !== words.length - 1) words.push(words.splice(unitAt, 1)[0]!);
  if (type === 'counter') words.push('total');
  const out = words.join('_');
  if (def.library === 'prometheus_client' && type === 'counter') return out.replace(/_total$/, '');
  return out;
}
