// Reads a CPU profile written by `BENCH_SLACK_CPU_PROF=<dir> npm run bench:slack` and lists the long stretches of
// the lockdesk process: runs of samples under the same top-level callback (an approximation of one task), how long
// they were, and which lockdesk function they were in. Samples after a gap longer than --gap ms (the process was not
// running: another process had the core) are left out, so a stall is not taken for work.
// Usage: npx tsx bench/slack-profile.ts <file.cpuprofile> [--min 10] [--gap 3] [--show 10]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface Task {
  top: number;
  ms: number;
  samples: Array<[id: number, ms: number]>;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { min: { type: 'string' }, gap: { type: 'string' }, show: { type: 'string' } } });
const file = positionals[0];
if (!file) throw new Error('usage: npx tsx bench/slack-profile.ts <file.cpuprofile> [--min 10] [--gap 3] [--show 10]');
const min = Number(values.min ?? 10);
const gap = Number(values.gap ?? 3);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const chain = (id: number) => {
  const out: ProfileNode[] = [];
  for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) out.push(byId.get(c)!);
  return out;
};
const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(node_modules\/|(?=src\/|adapters\/|bench\/))/, '')}:${n.callFrame.columnNumber + 1}`;
const ours = (n: ProfileNode) => /\/(src|adapters)\//.test(n.callFrame.url) && !n.callFrame.url.includes('node_modules');

const tasks: Task[] = [];
let current: Task | undefined;
let skipped = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const fn = byId.get(id)!.callFrame.functionName;
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  if (fn === '(idle)' || ms > gap) {
    if (ms > gap) skipped += ms;
    current = undefined;
    continue;
  }
  const c = chain(id);
  // GC and native time belong to the task they interrupt.
  const top = (fn === '(garbage collector)' || fn === '(program)') && current ? current.top : (c.at(-2) ?? c[0]!).id;
  if (!current || current.top !== top) tasks.push((current = { top, ms: 0, samples: [] }));
  current.ms += ms;
  current.samples.push([id, ms]);
}

const bounds = [1, 2, 5, 10, 20, 50, 100, Infinity];
const counts = bounds.map(() => 0);
for (const t of tasks) counts[bounds.findIndex((b) => t.ms < b)]! += 1;
console.log(`${tasks.length} stretches; left out ${skipped.toFixed(0)} ms of sampling gaps over ${gap} ms`);
console.log(`lengths (ms)  ${bounds.map((b, i) => `${i === 0 ? '<' : ''}${bounds[i - 1] ?? ''}${i === 0 ? '' : '-'}${b === Infinity ? '' : b}: ${counts[i]}`).join('  ')}`);
const inside = (t: Task) => {
  const m = new Map<string, number>();
  for (const [id, ms] of t.samples) {
    const c = chain(id);
    const k = name(c.find(ours) ?? c[0]!);
    m.set(k, (m.get(k) ?? 0) + ms);
  }
  return [...m].sort((a, b) => b[1] - a[1]);
};
const long = tasks.filter((t) => t.ms >= min).sort((a, b) => b.ms - a.ms);
console.log(`\nstretches of ${min} ms or more, longest first, with where their time went (innermost lockdesk frame):`);
for (const t of long.slice(0, Number(values.show ?? 10))) {
  console.log(`${t.ms.toFixed(1).padStart(7)} ms  ${inside(t).slice(0, 4).map(([k, ms]) => `${ms.toFixed(1)} ${k}`).join(' | ')}`);
}
