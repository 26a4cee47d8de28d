// `npm run bench`: every benchmark, one after the other (never in parallel: they would disturb each other's timings).
import { main as consoleBench } from './console.js';
import { main as storeBench } from './store.js';

const BENCHES: Array<[name: string, run: () => Promise<unknown>]> = [
  ['store', storeBench],
  ['console', consoleBench],
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
