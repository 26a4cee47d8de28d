// The policy file read again while lockdesk runs: a change to the file is in force from the next request; a broken
// file is refused (logged with every problem, audited with its hash) and the policy in force stays.
import { createHash } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import type { AuditEvent } from '../src/core/index.js';
import { RecordingLogger, RecordingSink } from './core/harness.js';

const alice = { platform: 'console' as const, id: 'alice@contoso.com', email: 'alice@contoso.com' };
const lockOnly = { roles: [{ name: 'everyone', members: ['*'], actions: ['lock'], devices: 'own' }] };
const lockAndReset = { roles: [{ name: 'secret-role-name', members: ['*'], actions: ['lock', 'resetPasscode'], devices: 'own' }] };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const undo of cleanup.reverse()) await undo();
  cleanup = [];
});

async function start(policy: object): Promise<{ app: App; file: string; logger: RecordingLogger }> {
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-reload-'));
  const file = join(dir, 'policy.json');
  await writeFile(file, JSON.stringify(policy));
  const logger = new RecordingLogger();
  const app = await buildApp(loadConfig({ HOST: '127.0.0.1', PORT: '0', LOCKDESK_DATA_DIR: join(dir, 'data'), LOCKDESK_POLICY: file, LOG_LEVEL: 'silent' }), logger);
  cleanup.push(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { app, file, logger };
}

async function say(app: App, text: string): Promise<string> {
  const sink = new RecordingSink();
  await app.handler.handleMessage(alice, text, sink);
  return sink.lastReply.text;
}

async function reloads(app: App): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const e of app.store.audit.read()) if (e.event === 'policy-reload') events.push(e);
  return events;
}

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, ms = 8_000): Promise<T> {
  for (const end = Date.now() + ms; ; ) {
    const value = await what();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('policy reload', () => {
  it('a changed policy file is in force for the next request; audited as applied with its hash, never its content', async () => {
    const { app, file } = await start(lockOnly);
    app.startBackgroundJobs();
    expect(await say(app, 'help')).not.toContain('reset passcode');
    const text = JSON.stringify(lockAndReset);
    // An editor's save: a new file renamed over the old one (a watch on the file itself would lose it).
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
    expect(await until(() => say(app, 'help'), (t) => t.includes('reset passcode'))).toContain('reset passcode');
    expect(await say(app, 'reset passcode me')).not.toMatch(/does not allow/);
    const [applied, ...more] = await reloads(app);
    expect(more).toEqual([]);
    expect(applied).toMatchObject({ event: 'policy-reload', outcome: 'applied', actor: null });
    expect(applied!.reason).toContain(sha(text));
    expect(JSON.stringify(applied)).not.toContain('secret-role-name');
  });

  it('a broken file is refused, with every problem in the log, and the policy in force stays', async () => {
    const { app, file, logger } = await start(lockAndReset);
    app.startBackgroundJobs();
    const broken = JSON.stringify({ confirmTtlSeconds: 5, roles: [{ name: 'x', members: ['bob'], actions: ['wipe'], devices: 'own' }] });
    await writeFile(file, broken);
    const [refused] = await until(() => reloads(app), (events) => events.length > 0);
    expect(refused).toMatchObject({ outcome: 'refused', actor: null });
    expect(refused!.reason).toContain(sha(broken));
    expect(refused!.reason).toMatch(/3 problems, listed in the log; the policy in force stays/);
    expect(refused!.reason).not.toMatch(/wipe|bob/);
    const line = logger.lines.find((l) => l.includes('the policy file was refused'))!;
    for (const path of ['confirmTtlSeconds', 'roles.0.members.0', 'roles.0.actions.0']) expect(line).toContain(path);
    // Still the old one: a passcode reset is allowed.
    expect(await say(app, 'help')).toContain('reset passcode');
    expect(await say(app, 'reset passcode me')).not.toMatch(/does not allow/);
    // Not JSON at all is refused the same way; the same broken text again is not audited twice.
    await writeFile(file, '{ "roles": [');
    await until(() => reloads(app), (events) => events.length > 1);
    await writeFile(file, '{ "roles": [');
    await new Promise((r) => setTimeout(r, 600));
    expect((await reloads(app)).map((e) => e.outcome)).toEqual(['refused', 'refused']);
    expect((await reloads(app))[1]!.reason).toMatch(/not valid JSON/);
  });

  it('SIGHUP reloads by hand; without a watcher, a reload is still applied or refused', async () => {
    const { app, file } = await start(lockOnly);
    await writeFile(file, JSON.stringify(lockAndReset));
    expect(await app.reloadPolicy('SIGHUP')).toMatchObject({ outcome: 'applied' });
    expect(await say(app, 'help')).toContain('reset passcode');
    await writeFile(file, JSON.stringify({ roles: 'none' }));
    const refused = await app.reloadPolicy('SIGHUP');
    expect(refused).toMatchObject({ outcome: 'refused' });
    expect(refused?.outcome === 'refused' && refused.problems).toMatch(/roles: /);
    expect(await say(app, 'help')).toContain('reset passcode');
    expect((await reloads(app)).map((e) => [e.outcome, e.reason!.split(':')[0]])).toEqual([['applied', 'SIGHUP'], ['refused', 'SIGHUP']]);
  });
});
