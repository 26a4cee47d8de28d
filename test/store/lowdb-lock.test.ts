// The data-directory lock between real processes: two started at the same instant on one directory, with no lock,
// an empty one or a stale one already there. Exactly one may hold the store; the other must stop, naming the first.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/store/lowdb/dir-lock.js';
import { childEnv, collect, startTsx, type ProcessResult } from '../console/run-console.js';

/** Above Linux's largest pid_max (2^22), so no process can have it. */
const DEAD_PID = 2 ** 22 + 12345;
const ROUNDS = 3;

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-lock-race-'));
  dirs.push(dir);
  return dir;
}

interface Watched {
  child: ChildProcess;
  exited: Promise<ProcessResult>;
  /** The first stdout line matching `pattern`, or undefined if the process ends without printing one. */
  line(pattern: RegExp): Promise<RegExpExecArray | undefined>;
}

function watch(child: ChildProcess): Watched {
  children.push(child);
  const exited = collect(child);
  let seen = '';
  const waiters: Array<() => void> = [];
  child.stdout?.on('data', (chunk: Buffer | string) => {
    seen += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  const line = (pattern: RegExp) =>
    new Promise<RegExpExecArray | undefined>((resolve) => {
      const check = () => {
        for (const l of seen.split('\n').slice(0, -1)) {
          const match = pattern.exec(l);
          if (match) return resolve(match);
        }
        waiters.push(check);
      };
      check();
      void exited.then(() => setImmediate(() => resolve(undefined)));
    });
  return { child, exited, line };
}

type Before = 'no lock' | 'an empty lock file' | 'a stale lock' | 'a stale lock and a take-over marker left by a crash';

async function prepare(dir: string, before: Before): Promise<void> {
  const lock = join(dir, LOCK_FILE);
  if (before === 'an empty lock file') await writeFile(lock, '');
  if (before.startsWith('a stale lock')) await writeFile(lock, JSON.stringify({ pid: DEAD_PID, host: hostname(), since: '2020-01-01T00:00:00.000Z' }));
  if (before.endsWith('left by a crash')) {
    const marker = `${lock}.takeover`;
    await writeFile(marker, String(DEAD_PID));
    const old = new Date(Date.now() - 60_000);
    await utimes(marker, old, old);
  }
}

/** Asserts that exactly one of the two holds `dir` and the other exited non-zero naming it; returns the holder. */
async function exactlyOneHolds(racers: Watched[], holding: Array<RegExpExecArray | undefined>, pidOf: (m: RegExpExecArray) => number): Promise<Watched> {
  const holders = racers.filter((_, i) => holding[i] !== undefined);
  const outputs = async () => (await Promise.all(racers.map((r) => Promise.race([r.exited, Promise.resolve(undefined)])))).map((r) => JSON.stringify(r));
  expect(holders, `holders: ${holders.length}\n${(await outputs()).join('\n')}`).toHaveLength(1);
  const holder = holders[0]!;
  const pid = pidOf(holding[racers.indexOf(holder)]!);
  const loser = await racers.find((r) => r !== holder)!.exited;
  expect(loser.code, loser.stderr).not.toBe(0);
  expect(loser.stderr).toContain(`Another lockdesk process (pid ${pid},`);
  expect(holder.child.exitCode).toBeNull();
  return holder;
}

describe('lowdb store: the lock between two processes started at the same instant', () => {
  const befores: Before[] = ['no lock', 'an empty lock file', 'a stale lock', 'a stale lock and a take-over marker left by a crash'];
  for (const before of befores) {
    it(`with ${before}: exactly one holds the store, the other exits non-zero naming it (${ROUNDS} rounds)`, { timeout: 120_000 }, async () => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const dir = await freshDir();
        await prepare(dir, before);
        const racers = [0, 1].map(() => watch(startTsx('test/store/hold-store.ts', [dir], process.env)));
        const ready = await Promise.all(racers.map((r) => r.line(/^ready$/)));
        expect(ready.every(Boolean), `round ${round}: a process did not start`).toBe(true);
        // Both are loaded and waiting on stdin: let them go together.
        for (const r of racers) r.child.stdin?.write('go\n');
        const holding = await Promise.all(racers.map((r) => r.line(/^holding (\d+)$/)));
        const holder = await exactlyOneHolds(racers, holding, (m) => Number(m[1]));
        const pid = Number(holding[racers.indexOf(holder)]![1]);
        expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid, host: hostname() });
        holder.child.kill('SIGTERM');
        const stopped = await holder.exited;
        expect(stopped.code, stopped.stderr).toBe(0);
        // The dead owner's lock is removed by one of the two, not always by the one that then holds the store: the
        // other may link its own lock in the instant between that removal and the remover's link.
        const said = (await Promise.all(racers.map((r) => r.exited))).map((r) => r.stderr).join('\n');
        expect(said.match(/taking over the lock/g)?.length ?? 0, said).toBe(before === 'no lock' ? 0 : 1);
        await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
        await expect(stat(join(dir, `${LOCK_FILE}.takeover`))).rejects.toMatchObject({ code: 'ENOENT' });
      }
    });
  }
});

describe('npm start: two servers started at once on one data directory', () => {
  for (const before of ['no lock', 'a stale lock'] as const) {
  it(`with ${before}: exactly one prints its banner and stays up; the other exits non-zero naming its pid`, { timeout: 120_000 }, async () => {
    const dir = await freshDir();
    await prepare(dir, before);
    const env = childEnv(dir, { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', TEAMS_ENABLED: 'false' });
    const servers = [0, 1].map(() => watch(startTsx('src/main.ts', [], env, 'ignore')));
    const banners = await Promise.all(servers.map((s) => s.line(/^lockdesk is running on (http:\/\/\S+) /)));
    const lock = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
    const survivor = await exactlyOneHolds(servers, banners, () => lock.pid);
    const url = banners[servers.indexOf(survivor)]![1]!;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    await health.body?.cancel();
    survivor.child.kill('SIGTERM');
    expect((await survivor.exited).code).toBe(0);
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });
  }
});
