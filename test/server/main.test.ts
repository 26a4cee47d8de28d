// `npm start` as a process: the banner, the health route, a clean stop on SIGTERM, and refusing to start on bad
// configuration or damaged files, saying which.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { childEnv, collect, startTsx, type ProcessResult } from '../console/run-console.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-main-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<ProcessResult> } {
  const child = startTsx('src/main.ts', [], env, 'ignore');
  children.push(child);
  return { child, exited: collect(child) };
}

/** Resolves with stdout once it holds a full line matching `pattern`; rejects if the process ends first. */
function waitForLine(child: ChildProcess, exited: Promise<ProcessResult>, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (seen.split('\n').slice(0, -1).some((line) => pattern.test(line))) {
        child.stdout?.off('data', onData);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((r) => reject(new Error(`exited (${r.code}) before printing ${pattern}:\n${r.stdout}\n${r.stderr}`)));
  });
}

describe('npm start', () => {
  it('prints a banner with its real URL, naming the simulated tenant; serves /healthz; stops with 0 on SIGTERM', async () => {
    const dir = await freshDir();
    const { child, exited } = start(childEnv(dir, { PORT: '0', HOST: '127.0.0.1' }));
    const banner = await waitForLine(child, exited, /^ {2}no terminal attached/);
    const url = /lockdesk is running on (http:\/\/127\.0\.0\.1:(\d+))/.exec(banner);
    expect(url, banner).not.toBeNull();
    expect(Number(url![2])).toBeGreaterThan(0);
    expect(banner).toMatch(/backend: SIMULATED Intune tenant/);
    expect(banner).toContain(join(dir, 'tenant.json'));

    const health = await fetch(`${url![1]}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toMatch(/application\/json/);
    expect(await health.json()).toMatchObject({ status: 'ok', backend: 'simulated' });
    const missing = await fetch(`${url![1]}/no-such-path`);
    expect(missing.status).toBe(404);
    await missing.body?.cancel();

    child.kill('SIGTERM');
    const result = await exited;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('lists every configuration problem in one message and exits non-zero', async () => {
    const dir = await freshDir();
    const result = await start(childEnv(dir, { PORT: 'abc', LOG_LEVEL: 'loud' })).exited;
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.match(/cannot start/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/^ {2}- PORT: /m);
    expect(result.stderr).toMatch(/^ {2}- LOG_LEVEL: /m);
  });

  it('refuses a corrupt policy file, naming it', async () => {
    const dir = await freshDir();
    const policy = join(dir, 'policy.json');
    await writeFile(policy, 'roles: [helpdesk');
    const result = await start(childEnv(join(dir, 'run'), { LOCKDESK_POLICY: policy, PORT: '0' })).exited;
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(policy);
  });

  it('refuses a corrupt state file, naming it and leaving it as it was', async () => {
    const dir = await freshDir();
    const state = join(dir, 'state.json');
    const garbage = '{"version": 1, "confirmations": [ garbage\n';
    await writeFile(state, garbage);
    const result = await start(childEnv(dir, { PORT: '0' })).exited;
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(state);
    expect(await readFile(state, 'utf8')).toBe(garbage);
  });
});
