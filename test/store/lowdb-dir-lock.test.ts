// The data-directory lock's judgement of a lock file already there, in this process: our own pid (a container
// restarted with the same pid), a pid now used by an unrelated process, and a directory this process does hold.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger, Store } from '../../src/ports.js';
import { LOCK_FILE } from '../../src/store/lowdb/dir-lock.js';
import { openLowdbStore } from '../../src/store/lowdb/index.js';

type LogFn = (obj: object, msg?: string) => void;
const recorder = () => ({ debug: vi.fn<LogFn>(), info: vi.fn<LogFn>(), warn: vi.fn<LogFn>(), error: vi.fn<LogFn>() });
const hasProc = existsSync('/proc/self/stat');

/** Field 22 of /proc/<pid>/stat (start time in ticks since boot), read here independently of the store's code. */
async function startTicksOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

describe('lowdb store: judging a lock file that is already there', () => {
  let dir: string;
  const stores: Store[] = [];
  let bystander: ChildProcess | undefined;
  const lockFile = () => join(dir, LOCK_FILE);
  const writeLock = (owner: object) => writeFile(lockFile(), JSON.stringify({ host: hostname(), ...owner }));
  const open = async (logger: Logger = recorder()) => {
    const store = await openLowdbStore({ dir, logger });
    stores.push(store);
    return store;
  };
  /** A real, unrelated, live process: its pid is "alive" whatever the lock says. */
  const startBystander = async (): Promise<number> => {
    bystander = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await new Promise((resolve) => bystander!.once('spawn', resolve));
    return bystander.pid!;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lockdesk-dir-lock-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => {});
    bystander?.kill('SIGKILL');
    bystander = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('takes over, with a warning, a lock naming our own pid that this process does not hold (a restart with the same pid)', async () => {
    await writeLock({ pid: process.pid, since: '2020-01-01T00:00:00.000Z' });
    const logger = recorder();
    await open(logger);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ reason: expect.stringMatching(/this process id/) }), expect.stringMatching(/taking over the lock/));
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).since).not.toBe('2020-01-01T00:00:00.000Z');
  });

  it('never rewrites a lock in place, even when a crash left our temp file as a second name of it', async () => {
    // A previous process with our pid crashed between linking its temp file into place and removing it.
    const old = JSON.stringify({ pid: process.pid, host: hostname(), since: '2020-01-01T00:00:00.000Z' });
    await writeFile(lockFile(), old);
    await link(lockFile(), `${lockFile()}.${process.pid}.tmp`);
    const witness = join(dir, 'witness');
    await link(lockFile(), witness); // a third name of the old lock's file, to see whether it is changed
    await open();
    expect(await readFile(witness, 'utf8')).toBe(old);
    expect(JSON.parse(await readFile(lockFile(), 'utf8')).since).not.toBe('2020-01-01T00:00:00.000Z');
  });

  it('still refuses a second open of a directory this process holds, also when reached through a symlink', async () => {
    await open();
    const alias = `${dir}-alias`;
    await symlink(dir, alias);
    try {
      for (const path of [dir, alias]) {
        await expect(openLowdbStore({ dir: path, logger: recorder() })).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringContaining(`pid ${process.pid},`) });
      }
    } finally {
      await rm(alias, { force: true });
    }
  });

  it('refuses two concurrent opens of one directory in this process, letting exactly one in', async () => {
    const results = await Promise.allSettled([openLowdbStore({ dir, logger: recorder() }), openLowdbStore({ dir, logger: recorder() })]);
    for (const r of results) if (r.status === 'fulfilled') stores.push(r.value);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('removes its lock on close, so a reopen in this process works', async () => {
    const first = await open();
    await first.close();
    expect(existsSync(lockFile())).toBe(false);
    await open();
    expect(existsSync(lockFile())).toBe(true);
  });

  it('on close leaves a lock that is no longer its own (another process took it over)', async () => {
    const store = await openLowdbStore({ dir, logger: recorder() });
    const theirs = JSON.stringify({ pid: 1, host: hostname(), since: new Date().toISOString() });
    await writeFile(lockFile(), theirs);
    await store.close();
    expect(await readFile(lockFile(), 'utf8')).toBe(theirs);
  });

  // Only where /proc exists (Linux, as CI): elsewhere lockdesk cannot read a process's start time, which these test.
  describe.skipIf(!hasProc)('pid reuse, judged from /proc', () => {
    it('takes over a lock whose pid now belongs to an unrelated process with another start time', async () => {
      const pid = await startBystander();
      await writeLock({ pid, since: new Date().toISOString(), started: (await startTicksOf(pid)) - 1 });
      const logger = recorder();
      await open(logger);
      expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ reason: expect.stringMatching(/started after the lock was taken/) }), expect.any(String));
    });

    it('takes over a lock without a start time whose pid belongs to a process started after the lock', async () => {
      const pid = await startBystander();
      await writeLock({ pid, since: '2020-01-01T00:00:00.000Z' });
      const logger = recorder();
      await open(logger);
      expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ reason: expect.stringMatching(/started after the lock was taken/) }), expect.any(String));
    });

    it('takes over a lock taken before this machine last booted', async () => {
      const pid = await startBystander();
      await writeLock({ pid, since: new Date().toISOString(), boot: 'not-this-boot', started: await startTicksOf(pid) });
      const logger = recorder();
      await open(logger);
      expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ reason: expect.stringMatching(/before this machine last booted/) }), expect.any(String));
    });

    it('refuses a lock whose live process is the one that took it, naming its pid', async () => {
      const pid = await startBystander();
      const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      const owner = { pid, since: new Date().toISOString(), boot, started: await startTicksOf(pid) };
      await writeLock(owner);
      await expect(open()).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringContaining(`Another lockdesk process (pid ${pid},`) });
      expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toEqual({ host: hostname(), ...owner });
    });

    it('refuses a lock without a start time whose live process started before the lock', async () => {
      const pid = await startBystander();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await writeLock({ pid, since: new Date().toISOString() });
      await expect(open()).rejects.toMatchObject({ message: expect.stringContaining(`(pid ${pid},`) });
    });
  });
});
