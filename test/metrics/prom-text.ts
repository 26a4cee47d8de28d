// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it throws, naming the line,
// on anything a Prometheus server would refuse or that the format does not allow: a sample of an undeclared family,
// a TYPE after its samples or given twice, a bad name or label, an escape the format does not have, a value that is
// not a float, the same series twice, a histogram whose buckets are not cumulative or do not end at +Inf = _count.
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Record<MetricType, readonly string[]> = { counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

class ParseError extends Error {
  constructor(line: number, text: string, problem: string) {
    super(`line ${line}: ${problem}: ${JSON.stringify(text.slice(0, 200))}`);
  }
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case (prom-client writes "Nan"). */
function parseFloatStrict(text: string): number {
  if (/^nan$/i.test(text)) return NaN;
  const inf = /^([-+]?)inf(inity)?$/i.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`not a float: ${text}`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `text` at `start` (the brace); returns the labels and the index after the closing brace. */
function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (text[i] === '}') return { labels, end: i + 1 };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error('a label without "="');
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`label ${name} given twice`);
    if (text[eq + 1] !== '"') throw new Error(`label ${name}: value not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\n') throw new Error(`label ${name}: raw newline`);
      if (c === '\\') {
        const next = text[j + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else throw new Error(`label ${name}: unknown escape \\${next ?? ''}`);
        j += 2;
        continue;
      }
      value += c;
      j += 1;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i += 1;
    else if (text[i] !== '}') throw new Error(`label ${name}: expected "," or "}" after the value`);
  }
}

/** HELP text knows two escapes, \\ and \n; anything else after a backslash is an error. */
function unescapeHelp(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      out += text[i];
      continue;
    }
    const next = text[i + 1];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else throw new Error(`HELP has an unknown escape \\${next ?? ''}`);
    i += 1;
  }
  return out;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  for (const [name, family] of families) {
    for (const suffix of SUFFIXES[family.type]) if (sampleName === `${name}${suffix}`) return family;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const sampled = new Set<string>();
  const typed = new Set<string>();
  text.split('\n').forEach((line, index) => {
    const n = index + 1;
    if (line === '') return;
    try {
      if (line.startsWith('#')) {
        const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
        if (!meta) return; // a plain comment
        const [, kind, name, rest = ''] = meta;
        if (!METRIC_NAME.test(name!)) throw new Error(`bad metric name ${name}`);
        if (sampled.has(name!)) throw new Error(`${kind} of ${name} after its samples`);
        const family = families.get(name!) ?? { name: name!, type: 'untyped' as MetricType, samples: [] };
        if (kind === 'TYPE') {
          if (!TYPES.includes(rest as MetricType)) throw new Error(`unknown type ${rest}`);
          if (typed.has(name!)) throw new Error(`TYPE of ${name} given twice`);
          family.type = rest as MetricType;
          typed.add(name!);
        } else {
          if (family.help !== undefined) throw new Error(`HELP of ${name} given twice`);
          family.help = unescapeHelp(rest);
        }
        families.set(name!, family);
        return;
      }
      const nameEnd = line.search(/[{ ]/);
      if (nameEnd <= 0) throw new Error('no metric name');
      const name = line.slice(0, nameEnd);
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name ${name}`);
      let labels: Record<string, string> = {};
      let rest = line.slice(nameEnd);
      if (rest.startsWith('{')) {
        const parsed = parseLabels(line, nameEnd);
        labels = parsed.labels;
        rest = line.slice(parsed.end);
      }
      const parts = rest.split(' ');
      if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error('expected one space, a value and an optional timestamp');
      const value = parseFloatStrict(parts[1]!);
      if (parts[2] !== undefined && !/^-?\d+$/.test(parts[2])) throw new Error('the timestamp must be an integer');
      const family = familyOf(name, families);
      if (!family) throw new Error(`sample ${name} of no declared family (no TYPE line before it)`);
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (seen.has(key)) throw new Error(`series ${key} given twice`);
      seen.add(key);
      sampled.add(family.name);
      if (family.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined) throw new Error('a histogram bucket without le');
      if (family.type === 'counter' && !(value >= 0)) throw new Error('a counter must be a non-negative number');
      family.samples.push({ name, labels, value });
    } catch (error) {
      throw new ParseError(n, line, (error as Error).message);
    }
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** Per series (labels without le): buckets cumulative in le order, the last one +Inf, equal to _count. */
function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
  for (const s of family.samples) {
    const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
    if (s.name.endsWith('_bucket')) entry.buckets.push([parseFloatStrict(s.labels.le!), s.value]);
    if (s.name.endsWith('_count')) entry.count = s.value;
    series.set(keyOf(s.labels), entry);
  }
  for (const [key, { buckets, count }] of series) {
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`histogram ${family.name}${key}: no +Inf bucket`);
    sorted.forEach(([, v], i) => {
      if (i > 0 && v < sorted[i - 1]![1]) throw new Error(`histogram ${family.name}${key}: buckets not cumulative`);
    });
    if (count !== sorted.at(-1)![1]) throw new Error(`histogram ${family.name}${key}: +Inf bucket ${sorted.at(-1)![1]} differs from _count ${count}`);
  }
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there is none: a counter not yet moved). */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
  }
  return total;
}

/** Every label value in the exposition, for checking that none names a person, a device or an id. */
export function labelValues(families: Map<string, Family>): string[] {
  return [...families.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));
}
