// `npm run bench`: every benchmark, one after the other (never in parallel: they would disturb each other's timings).
// About six minutes in all; each is also a script of its own (npm run bench:graph, bench:budget, bench:slack, bench:store).
import { main as consoleBench } from './console.js';
import { main as graphBench } from './graph.js';
import { main as sharedBudgetBench } from './shared-budget.js';
import { main as slackBench } from './slack.js';
import { main as storeBench } from './store.js';
import { main as storeThroughputBench } from './store-throughput.js';
import { main as runtimeBench } from './runtime.js';

const BENCHES: Array<[name: string, run: () => Promise<unknown>]> = [
  ['runtime: start and memory, compiled vs tsx', runtimeBench],
  ['store: cost with history', storeBench],
  ['store: throughput, lowdb and PostgreSQL', storeThroughputBench],
  ['console', consoleBench],
  ['graph', () => graphBench()],
  ['graph: one write budget for two replicas (PostgreSQL)', () => sharedBudgetBench()],
  ['slack', slackBench],
];

for (const [name, run] of BENCHES) {
  console.log(`\n=== bench: ${name} ===`);
  try {
    await run();
  } catch (error) {
    console.error(`bench ${name} failed:`, error);
    process.exitCode = 1;
  }
}
