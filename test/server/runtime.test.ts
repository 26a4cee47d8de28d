// The runtime: lockdesk runs as JavaScript compiled by tsc (no TypeScript loader in the service), on the Node.js it
// says in its banner and /healthz, and refuses a Node.js older than 22.12 in one line.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeProblem } from '../../src/node-version.js';
import { childEnv, collect, REPO_ROOT } from '../console/run-console.js';

const MAIN = join(REPO_ROOT, 'dist', 'src', 'main.js');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-runtime-'));
  // What `npm start` does first (prestart): compile when the sources are newer than dist/.
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: REPO_ROOT, stdio: 'pipe' });
}, 120_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('the Node.js version', () => {
  it('22.12 and newer run; anything older is refused with a reason', () => {
    for (const ok of ['22.12.0', 'v22.23.3', '24.21.0', '26.0.0']) expect(nodeProblem(ok)).toBeUndefined();
    for (const old of ['20.20.2', 'v22.11.0', '18.19.1', '0.10.0']) expect(nodeProblem(old)).toMatch(/^lockdesk needs Node\.js 22\.12\.0 or newer \(24 recommended\); this is Node\.js \d/);
  });
});

describe('the compiled service', () => {
  it('starts from dist/ without a TypeScript loader, names its Node.js in the banner and /healthz, and stops with 0', async () => {
    const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env: childEnv(join(dir, 'run'), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', TEAMS_ENABLED: 'false' }), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = collect(child);
    const banner = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (/runtime: Node\.js .*\n/.test(out)) resolve(out);
      });
      void exited.then((r) => reject(new Error(`exited ${r.code}: ${r.stderr}`)));
    });
    expect(banner).toContain(`runtime: Node.js ${process.versions.node}`);
    const url = /lockdesk is running on (http:\/\/\S+) /.exec(banner)![1]!;
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; node: string };
    expect(health).toMatchObject({ status: 'ok', node: process.versions.node });
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('refuses an older Node.js (the system Node of this machine, when it is one) in one line', async (ctx) => {
    const old = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p) && nodeProblem(execFileSync(p, ['-p', 'process.versions.node']).toString().trim()));
    // Skipped on a machine whose system Node is already 22.12 or newer: there is no older Node to be refused. This
    // machine's (and CI's) system Node is 20, so here it runs.
    if (!old) return ctx.skip();
    const result = await collect(spawn(old, [MAIN], { cwd: REPO_ROOT, env: childEnv(join(dir, 'old'), { PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^lockdesk needs Node\.js 22\.12\.0 or newer \(24 recommended\); this is Node\.js 20\./);
    expect(result.stdout).toBe('');
  });
});
