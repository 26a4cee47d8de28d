// `npm start` as a process: SIGHUP reads the policy file again; a bad file is refused (logged with its problems,
// audited) and the process goes on serving with the policy in force, then stops cleanly.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, collect, REPO_ROOT, runAudit } from '../console/run-console.js';

// What `npm start` runs: the compiled service in one process (tsx's wrapper would not pass SIGHUP on), after
// prestart has compiled it when the sources are newer than dist/.
const MAIN = join(REPO_ROOT, 'dist', 'src', 'main.js');
beforeAll(() => {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: REPO_ROOT, stdio: 'pipe' });
}, 120_000);

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Resolves once `stream` has printed `count` lines matching `pattern`. */
function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp, count = 1): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (seen.split('\n').filter((l) => pattern.test(l)).length >= count) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.on('data', onData);
  });
}

describe('npm start and SIGHUP', () => {
  it('SIGHUP reloads the policy file: a broken one is refused and audited, the process lives on and stops with 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockdesk-sighup-'));
    dirs.push(dir);
    const file = join(dir, 'policy.json');
    await writeFile(file, JSON.stringify({ roles: [{ name: 'everyone', members: ['*'], actions: ['lock'], devices: 'own' }] }));
    const env = childEnv(join(dir, 'data'), { PORT: '0', HOST: '127.0.0.1', LOCKDESK_POLICY: file });
    const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const exited = collect(child);
    await waitFor(child.stdout!, /^ {2}no terminal attached/);

    const refusedLines = /the policy file was refused/;
    await writeFile(file, JSON.stringify({ roles: [{ name: 'x', members: ['bob'], actions: ['lock'], devices: 'own' }] }));
    await waitFor(child.stderr!, refusedLines, 1);
    child.kill('SIGHUP');
    await waitFor(child.stderr!, /"trigger":"SIGHUP".*the policy file was refused|the policy file was refused.*"trigger":"SIGHUP"/);
    expect(child.exitCode).toBeNull();

    child.kill('SIGTERM');
    const result = await exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('read again when it changes, or on SIGHUP');
    expect(result.stderr).toContain('roles.0.members.0');

    const audit = await runAudit([], env);
    const reloads = audit.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; outcome: string; reason: string }).filter((e) => e.event === 'policy-reload');
    expect(reloads.map((e) => [e.outcome, e.reason.split(':')[0]])).toEqual([['refused', 'change'], ['refused', 'SIGHUP']]);
  });
});
