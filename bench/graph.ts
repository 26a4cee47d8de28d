// `npm run bench:graph`: the Graph backend against the local fake Graph server (test/fakes/graph-server), which
// enforces Intune's write budget as a sliding window.
//   (a) bulk lock  600 devices of one user locked in one confirmation through the app's handler (ask, "Lock all
//                  600 devices", type 600): the elapsed time as a ratio to the 40 s minimum (three windows of 200 per
//                  20 s; goal ≤ 1.05), the 429s received (goal 0) and the writes per device (goal: each once)
//                  (goal 0);
//   (b) look-ups   in a 100k-device tenant, the Graph requests (each $batch item counted) a look-up costs when a
//                  person asks, for every query form (goal ≤ 2 each), and the background inventory refresh's cost.
// `--quick` (or LOCKDESK_BENCH_QUICK=1) scales the window down to 2 s so the whole run takes seconds.
// Prints figures; it is not a test.
//
// The Graph client (node:https, default CAs) trusts a self-signed certificate only through NODE_EXTRA_CA_CERTS, read
// when a process starts: so main() makes the certificate and runs the measurements in a child process
// (bench/graph-worker.ts) started with NODE_EXTRA_CA_CERTS pointing at it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createSelfSignedCert } from '../test/fakes/graph-server/tls.js';
import type { GraphBenchResult } from './graph-worker.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export async function main(options: { quick?: boolean } = {}): Promise<GraphBenchResult> {
  const quick = options.quick ?? (process.argv.includes('--quick') || process.env.LOCKDESK_BENCH_QUICK === '1');
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-bench-graph-'));
  try {
    const tls = await createSelfSignedCert(dir);
    const out = join(dir, 'result.json');
    const args = ['bench/graph-worker.ts', '--cert', tls.certFile, '--key', tls.keyFile, '--out', out, ...(quick ? ['--quick'] : [])];
    const child = spawn(TSX, args, { cwd: ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certFile }, stdio: ['ignore', 'inherit', 'inherit'] });
    const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
    if (code !== 0) throw new Error(`the graph bench worker exited with ${code}`);
    return JSON.parse(await readFile(out, 'utf8')) as GraphBenchResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
