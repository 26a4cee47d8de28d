// `npm run bench:runtime`: what the service costs to start and to keep, run as the compiled JavaScript (`node
// dist/src/main.js`, what `npm start` runs) and, for comparison, through the tsx loader (how it ran before):
//   start → /healthz   from spawning the process to the first 200 (goal < 1.5 s);
//   idle RSS           the serving process's resident memory (with its children: tsx runs the program in a child)
//                      3 s after it is ready;
//   RSS after 1,000    after 1,000 look-ups ("devices alice@contoso.com") through the Teams demo route;
// and a bare app with the same SDKs loaded (Bolt's HTTP receiver and the Teams SDK's App, nothing else) for the
// RSS goal (≤ 1.5× the bare app). Simulated tenant, lowdb in a temporary directory. Prints figures; not a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LOOKUPS = 1_000;

export interface RuntimeFigures {
  how: string;
  startMs: number;
  idleRssMb: number;
  afterLookupsRssMb?: number;
}

/** Resident memory of the process and its descendants (tsx runs the program in a child of its own). */
async function rssMb(pid: number): Promise<number> {
  const own = async (p: number) => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${p}/status`, 'utf8').catch(() => 'VmRSS: 0 kB'))?.[1] ?? 0) / 1024;
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  let total = 0;
  for (const queue = [pid]; queue.length > 0; ) {
    const p = queue.pop()!;
    total += await own(p);
    queue.push(...(parents.get(p) ?? []));
  }
  return total;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilHealthy(child: ChildProcess, started: number): Promise<{ url: string; ms: number }> {
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /running on (http:\/\/\S+) /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false);
    if (ok) return { url, ms: performance.now() - started };
    await sleep(5);
  }
}

/** A stand-in Bot Connector on loopback: every reply the demo sends is answered 200. */
async function connector(): Promise<{ url: string; close: () => void }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `a-${++n}` })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

async function measure(how: string, command: string, args: string[], lookups: boolean): Promise<RuntimeFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-bench-runtime-'));
  const bot = await connector();
  const env = { ...process.env, LOCKDESK_DATA_DIR: dir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', LOCKDESK_SIM_LATENCY_MS: '0' };
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { url, ms } = await untilHealthy(child, started);
    await sleep(3_000);
    const figures: RuntimeFigures = { how, startMs: ms, idleRssMb: await rssMb(child.pid!) };
    if (lookups) {
      for (let i = 0; i < LOOKUPS; i++) {
        const activity = {
          type: 'message', id: `m${i}`, channelId: 'msteams', serviceUrl: bot.url, text: 'devices alice@contoso.com', textFormat: 'plain',
          from: { id: '29:alice', name: 'Alice Smith', aadObjectId: '40e5033a-6a45-4dfc-9591-46507a0387db' }, recipient: { id: '28:lockdesk-bot', name: 'lockdesk' },
          conversation: { id: 'a:personal-alice', conversationType: 'personal', tenantId: 'tenant-contoso' }, channelData: { tenant: { id: 'tenant-contoso' } },
        };
        const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
        await res.arrayBuffer();
      }
      await sleep(2_000);
      figures.afterLookupsRssMb = await rssMb(child.pid!);
    }
    return figures;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    bot.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<RuntimeFigures[]> {
  const node = process.execPath;
  const results = [
    await measure('compiled (node dist/src/main.js)', node, [join(ROOT, 'dist/src/main.js')], true),
    await measure('through tsx (before)', node, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/main.ts'], true),
    await measure('bare Bolt + Teams SDK', node, [join(ROOT, 'bench/bare-sdks.mjs')], false),
  ];
  const bare = results[2]!.idleRssMb;
  console.log(`\nruntime on Node.js ${process.versions.node}: start → /healthz, resident memory (${LOOKUPS} look-ups through the Teams demo route)`);
  for (const r of results) {
    console.log(`  ${r.how.padEnd(34)} start ${r.startMs.toFixed(0).padStart(5)} ms   idle ${r.idleRssMb.toFixed(0).padStart(4)} MB (${(r.idleRssMb / bare).toFixed(2)}× bare)${r.afterLookupsRssMb ? `   after ${LOOKUPS} look-ups ${r.afterLookupsRssMb.toFixed(0)} MB` : ''}`);
  }
  const compiled = results[0]!;
  console.log(`  goals: start < 1500 ms (${compiled.startMs < 1500 ? 'meets' : 'MISSES'}); idle RSS ≤ 1.5× bare (${compiled.idleRssMb <= 1.5 * bare ? 'meets' : 'MISSES'})`);
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
