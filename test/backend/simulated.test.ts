// The simulated tenant against real files in a temp directory, with a clock the test moves.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedTenant } from '../../src/backend/simulated/simulated-tenant.js';
import { ERROR_CODES, LockdeskError } from '../../src/core/errors.js';
import { Secret, type Device } from '../../src/core/types.js';
import { FakeClock } from '../fakes/clock.js';
import { makeDevice } from '../fakes/device.js';

const seedFile = fileURLToPath(new URL('../../data/demo-tenant.json', import.meta.url));
const MINUTE = 60_000;

let dir: string;
let runFile: string;
let clock: FakeClock;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lockdesk-sim-'));
  runFile = path.join(dir, 'run', 'tenant.json');
  clock = new FakeClock();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (extra: { settleMs?: number; latencyMs?: number } = {}) => SimulatedTenant.open({ seedFile, runFile, clock, ...extra });

async function deviceNamed(tenant: SimulatedTenant, name: string): Promise<Device> {
  const [device, ...more] = await tenant.findDevices({ by: 'name', value: name });
  if (!device || more.length > 0) throw new Error(`expected exactly one device named ${name}`);
  return device;
}

const names = (devices: Device[]) => devices.map((device) => device.name).sort();

describe('opening', () => {
  it('copies the seed to the run file on first run, creating its directory, and leaves the seed alone', async () => {
    const seed = await readFile(seedFile, 'utf8');
    const tenant = await open();
    expect(await readFile(runFile, 'utf8')).toBe(seed);
    await tenant.dispatch('lock', [(await deviceNamed(tenant, "Alice's iPhone")).id]);
    expect(await readFile(seedFile, 'utf8')).toBe(seed);
    expect(await readFile(runFile, 'utf8')).not.toBe(seed);
  });

  it.each([
    ['garbage', 'this is {not json'],
    ['JSON null (which lowdb would quietly replace with defaults)', 'null'],
    ['valid JSON of the wrong shape', JSON.stringify({ users: 'everyone', devices: [] })],
    ['an action for a device that does not exist', JSON.stringify({ users: [], devices: [], actions: [{ deviceId: 'x', action: 'lock', startedAt: '2025-06-02T09:00:00.000Z', outcome: 'done' }] })],
  ])('refuses a run file holding %s, naming the file', async (_what, content) => {
    await open();
    await writeFile(runFile, content);
    const failure = await open().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LockdeskError);
    expect(failure).toMatchObject({ code: ERROR_CODES.DATA_INVALID, message: expect.stringContaining(runFile) });
    // Never a silent reset: the bad file is left for a person to look at.
    expect(await readFile(runFile, 'utf8')).toBe(content);
  });

  it('names every problem in an invalid file', async () => {
    await open();
    const tenant = JSON.parse(await readFile(runFile, 'utf8'));
    delete tenant.devices[2].name;
    tenant.devices[3].ownerType = 'corporate';
    await writeFile(runFile, JSON.stringify(tenant));
    await expect(open()).rejects.toThrow(/devices\.2\.name: .*; devices\.3\.ownerType: /);
  });

  it('refuses a run file where two devices share a serial number', async () => {
    await open();
    const tenant = JSON.parse(await readFile(runFile, 'utf8'));
    tenant.devices[1].serialNumber = tenant.devices[0].serialNumber.toLowerCase();
    await writeFile(runFile, JSON.stringify(tenant));
    await expect(open()).rejects.toThrow(/devices\.1\.serialNumber: duplicate serial number/);
  });

  it('names a broken seed file, not the run file it would have become', async () => {
    const badSeed = path.join(dir, 'seed.json');
    await writeFile(badSeed, '{"users": []}');
    await expect(SimulatedTenant.open({ seedFile: badSeed, runFile, clock })).rejects.toMatchObject({
      code: ERROR_CODES.DATA_INVALID,
      message: expect.stringContaining(badSeed),
    });
  });

  it('names a seed file that cannot be read', async () => {
    const missing = path.join(dir, 'missing.json');
    await expect(SimulatedTenant.open({ seedFile: missing, runFile, clock })).rejects.toMatchObject({
      code: ERROR_CODES.DATA_INVALID,
      message: expect.stringContaining(missing),
    });
  });
});

describe('lookups', () => {
  it('finds by exact id only', async () => {
    const tenant = await open();
    const iphone = await deviceNamed(tenant, "Alice's iPhone");
    expect(names(await tenant.findDevices({ by: 'id', value: iphone.id }))).toEqual(["Alice's iPhone"]);
    expect(await tenant.findDevices({ by: 'id', value: iphone.id.slice(0, 8) })).toEqual([]);
    expect(await tenant.getDevice(iphone.id)).toEqual(iphone);
    expect(await tenant.getDevice('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  it('finds by serial number and by name, ignoring letter case', async () => {
    const tenant = await open();
    expect(names(await tenant.findDevices({ by: 'serial', value: 'f2lxk3p9n72q' }))).toEqual(["Alice's iPhone"]);
    expect(names(await tenant.findDevices({ by: 'name', value: 'alice-laptop' }))).toEqual(['ALICE-LAPTOP']);
    expect(names(await tenant.findDevices({ by: 'name', value: "ZOË'S IPAD" }))).toEqual(["Zoë's iPad"]);
    expect(names(await tenant.findDevices({ by: 'name', value: "Zoe\u0308's iPad" }))).toEqual(["Zoë's iPad"]);
    expect(await tenant.findDevices({ by: 'name', value: 'Kiosk-Lobby' })).toEqual([]);
  });

  it('finds by name prefix', async () => {
    const tenant = await open();
    expect(names(await tenant.findDevices({ by: 'namePrefix', value: 'kiosk-lobby' }))).toEqual(['Kiosk-Lobby-01', 'Kiosk-Lobby-02']);
    expect(names(await tenant.findDevices({ by: 'namePrefix', value: 'Kiosk-Lobby-02' }))).toEqual(['Kiosk-Lobby-02']);
  });

  it("lists a user's devices by UPN, email or Entra id", async () => {
    const tenant = await open();
    const alice = ['ALICE-LAPTOP', "Alice's iPhone", "Alice's MacBook Pro", "Alice's Pixel 8"].sort();
    expect(names(await tenant.listUserDevices('Alice@Contoso.com'))).toEqual(alice);
    const carolByUpn = await tenant.listUserDevices('carol.diaz@contoso.com');
    expect(names(carolByUpn)).toEqual(["Carol's Pixel 7", 'SURFACE-RT-01']);
    expect(await tenant.listUserDevices('carol@contoso.com')).toEqual(carolByUpn);
    expect(await tenant.listUserDevices(carolByUpn[0]!.userId.toUpperCase())).toEqual(carolByUpn);
    expect(await tenant.listUserDevices('nobody@contoso.com')).toEqual([]);
  });

  it('returns nothing for an empty value, never everything', async () => {
    const tenant = await open();
    for (const by of ['id', 'serial', 'name', 'namePrefix'] as const) {
      expect(await tenant.findDevices({ by, value: '' })).toEqual([]);
      expect(await tenant.findDevices({ by, value: '  ' })).toEqual([]);
    }
    // Kiosks have no user: an empty user must not match them.
    expect(await tenant.listUserDevices('')).toEqual([]);
  });

  it('maps records onto Device exactly, with the last check-in computed from now', async () => {
    const tenant = await open();
    const laptop = await deviceNamed(tenant, 'ALICE-LAPTOP');
    expect(Object.keys(laptop).sort()).toEqual(Object.keys(makeDevice()).sort());
    expect(laptop).toMatchObject({ operatingSystem: 'Windows', osVersion: '10.0.22631.4602', userPrincipalName: 'alice@contoso.com', ownerType: 'company' });
    expect(laptop.lastSyncDateTime).toBe(new Date(clock.now().getTime() - 48 * MINUTE).toISOString());
    clock.advance(60 * MINUTE);
    expect((await deviceNamed(tenant, 'ALICE-LAPTOP')).lastSyncDateTime).toBe(new Date(clock.now().getTime() - 48 * MINUTE).toISOString());
    const old = await deviceNamed(tenant, "Bob's old iPhone");
    expect(clock.now().getTime() - Date.parse(old.lastSyncDateTime)).toBe(30 * 24 * 60 * MINUTE);
  });
});

describe('actions', () => {
  it('reports none before anything is sent, then pending → active → done', async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Alice's iPhone");
    expect(await tenant.getActionStatus(id, 'lock')).toEqual({ state: 'none' });
    const startedAt = clock.now().toISOString();
    expect(await tenant.dispatch('lock', [id])).toEqual([{ deviceId: id, ok: true }]);
    expect(await tenant.getActionStatus(id, 'lock')).toEqual({ state: 'pending', startedAt, updatedAt: startedAt });
    clock.advance(1_999);
    expect((await tenant.getActionStatus(id, 'lock')).state).toBe('pending');
    clock.advance(1);
    expect(await tenant.getActionStatus(id, 'lock')).toMatchObject({ state: 'active', startedAt });
    clock.advance(1_999);
    expect((await tenant.getActionStatus(id, 'lock')).state).toBe('active');
    clock.advance(1);
    expect(await tenant.getActionStatus(id, 'lock')).toEqual({ state: 'done', startedAt, updatedAt: clock.now().toISOString() });
    // The other action on the same device is untouched.
    expect(await tenant.getActionStatus(id, 'resetPasscode')).toEqual({ state: 'none' });
  });

  it('honours settleMs', async () => {
    const tenant = await open({ settleMs: 100 });
    const { id } = await deviceNamed(tenant, "Alice's iPhone");
    await tenant.dispatch('lock', [id]);
    clock.advance(100);
    expect((await tenant.getActionStatus(id, 'lock')).state).toBe('done');
  });

  it('answers one result per id, in order, failing unknown ids', async () => {
    const tenant = await open();
    const a = (await deviceNamed(tenant, 'Kiosk-Lobby-01')).id;
    const b = (await deviceNamed(tenant, 'Kiosk-Lobby-02')).id;
    const results = await tenant.dispatch('lock', [b, 'no-such-device', a]);
    expect(results.map((r) => [r.deviceId, r.ok])).toEqual([[b, true], ['no-such-device', false], [a, true]]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: ERROR_CODES.DEVICE_NOT_FOUND } });
    await expect(tenant.getActionStatus('no-such-device', 'lock')).rejects.toMatchObject({ code: ERROR_CODES.DEVICE_NOT_FOUND });
  });

  it('gives an Android reset a temporary passcode that never reaches the run file', async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Alice's Pixel 8");
    const before = JSON.parse(await readFile(runFile, 'utf8'));
    await tenant.dispatch('resetPasscode', [id]);
    expect((await tenant.getActionStatus(id, 'resetPasscode')).passcode).toBeUndefined();
    clock.advance(4_000);
    const status = await tenant.getActionStatus(id, 'resetPasscode');
    expect(status.state).toBe('done');
    const code = status.passcode?.reveal() ?? '';
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(status)).not.toContain(code);
    expect((await tenant.getActionStatus(id, 'resetPasscode')).passcode?.reveal()).toBe(code);

    const text = await readFile(runFile, 'utf8');
    expect(text).not.toContain(`"${code}"`);
    expect(text).not.toMatch(/"passcode"/i);
    const after = JSON.parse(text);
    expect(after).toEqual({ ...before, actions: [{ deviceId: id, action: 'resetPasscode', startedAt: status.startedAt, outcome: 'done' }] });
  });

  it('gives a new passcode for each reset', async () => {
    const tenant = await open({ settleMs: 0 });
    const { id } = await deviceNamed(tenant, "Erin's Galaxy S7");
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await tenant.dispatch('resetPasscode', [id]);
      codes.add((await tenant.getActionStatus(id, 'resetPasscode')).passcode?.reveal() ?? '');
      clock.advance(1);
    }
    expect([...codes].every((code) => /^\d{6}$/.test(code))).toBe(true);
    expect(codes.size).toBeGreaterThan(1);
  });

  it('gives an iOS reset (remove passcode) and a lock no passcode', async () => {
    const tenant = await open();
    const iphone = (await deviceNamed(tenant, "Alice's iPhone")).id;
    const pixel = (await deviceNamed(tenant, "Alice's Pixel 8")).id;
    await tenant.dispatch('resetPasscode', [iphone]);
    await tenant.dispatch('lock', [pixel]);
    clock.advance(4_000);
    expect(await tenant.getActionStatus(iphone, 'resetPasscode')).not.toHaveProperty('passcode');
    expect(await tenant.getActionStatus(pixel, 'lock')).not.toHaveProperty('passcode');
    expect(await tenant.getActionStatus(pixel, 'lock')).not.toHaveProperty('unlockPin');
    expect((await tenant.getActionStatus(iphone, 'resetPasscode')).state).toBe('done');
  });

  it("gives a Mac's finished lock a six-digit unlock PIN that never reaches the run file, and a new one each lock", async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Alice's MacBook Pro");
    await tenant.dispatch('lock', [id]);
    expect(await tenant.getActionStatus(id, 'lock')).not.toHaveProperty('unlockPin');
    clock.advance(4_000);
    const status = await tenant.getActionStatus(id, 'lock');
    expect(status.state).toBe('done');
    expect(status.unlockPin).toBeInstanceOf(Secret);
    const pin = status.unlockPin?.reveal() ?? '';
    expect(pin).toMatch(/^\d{6}$/);
    expect(status).not.toHaveProperty('passcode');
    expect(JSON.stringify(status)).not.toContain(pin);
    const text = await readFile(runFile, 'utf8');
    expect(text).not.toContain(`"${pin}"`);
    expect(text).not.toMatch(/"(unlockPin|pin|passcode)"/i);

    const pins = new Set([pin]);
    for (let i = 0; i < 4; i++) {
      await tenant.dispatch('lock', [id]);
      clock.advance(4_000);
      pins.add((await tenant.getActionStatus(id, 'lock')).unlockPin?.reveal() ?? '');
    }
    expect([...pins].every((p) => /^\d{6}$/.test(p))).toBe(true);
    expect(pins.size).toBeGreaterThan(1);
    // After a restart the PIN is gone: it lived only in this process's memory.
    const again = await open();
    expect(await again.getActionStatus(id, 'lock')).toMatchObject({ state: 'done' });
    expect(await again.getActionStatus(id, 'lock')).not.toHaveProperty('unlockPin');
  });

  it('keeps an offline device pending forever', async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Bob's old iPhone");
    expect(await tenant.dispatch('lock', [id])).toEqual([{ deviceId: id, ok: true }]);
    clock.advance(7 * 24 * 60 * MINUTE);
    expect((await tenant.getActionStatus(id, 'lock')).state).toBe('pending');
  });

  it('waits latencyMs on every call', async () => {
    const tenant = await open({ latencyMs: 500 });
    let done = false;
    const call = tenant.listUserDevices('alice@contoso.com').then((devices) => {
      done = true;
      return devices;
    });
    await clock.untilSleeping(1);
    clock.advance(499);
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    clock.advance(1);
    expect(await call).toHaveLength(4);
  });
});

describe('injected failures', () => {
  let tenant: SimulatedTenant;
  let id: string;
  let other: string;
  beforeEach(async () => {
    tenant = await open();
    id = (await deviceNamed(tenant, "Alice's Pixel 8")).id;
    other = (await deviceNamed(tenant, "Alice's iPhone")).id;
  });

  it.each([
    ['refused', ERROR_CODES.REFUSED],
    ['throttled', ERROR_CODES.THROTTLED],
  ] as const)('%s: that device fails, others go through, nothing is recorded for it', async (kind, code) => {
    tenant.injectFailure(id, 'lock', kind);
    const [failed, passed] = await tenant.dispatch('lock', [id, other]);
    expect(failed).toMatchObject({ deviceId: id, ok: false, error: { code } });
    expect(passed).toEqual({ deviceId: other, ok: true });
    expect(await tenant.getActionStatus(id, 'lock')).toEqual({ state: 'none' });
    if (kind === 'throttled') expect(failed?.ok === false && failed.error.retryAfterMs).toBeGreaterThan(0);
  });

  it('unavailable: the whole call throws and nothing is recorded', async () => {
    tenant.injectFailure(id, 'lock', 'unavailable');
    await expect(tenant.dispatch('lock', [other, id])).rejects.toMatchObject({ code: ERROR_CODES.UNAVAILABLE });
    expect(await tenant.getActionStatus(id, 'lock')).toEqual({ state: 'none' });
    expect(await tenant.getActionStatus(other, 'lock')).toEqual({ state: 'none' });
  });

  it.each(['failed', 'notSupported'] as const)('%s: the dispatch succeeds and the action settles as %s', async (kind) => {
    tenant.injectFailure(id, 'resetPasscode', kind);
    expect(await tenant.dispatch('resetPasscode', [id])).toEqual([{ deviceId: id, ok: true }]);
    expect((await tenant.getActionStatus(id, 'resetPasscode')).state).toBe('pending');
    clock.advance(4_000);
    const status = await tenant.getActionStatus(id, 'resetPasscode');
    expect(status.state).toBe(kind);
    expect(status.passcode).toBeUndefined();
  });

  it('applies to one action only, until cleared', async () => {
    tenant.injectFailure(id, 'lock', 'refused');
    expect(await tenant.dispatch('resetPasscode', [id])).toEqual([{ deviceId: id, ok: true }]);
    expect((await tenant.dispatch('lock', [id]))[0]?.ok).toBe(false);
    tenant.clearFailures();
    expect(await tenant.dispatch('lock', [id])).toEqual([{ deviceId: id, ok: true }]);
  });
});

describe('restart', () => {
  it('still reports an action sent before the restart, without re-copying the seed', async () => {
    const first = await open();
    const { id } = await deviceNamed(first, "Alice's iPhone");
    const pixel = (await deviceNamed(first, "Alice's Pixel 8")).id;
    await first.dispatch('lock', [id]);
    await first.dispatch('resetPasscode', [pixel]);
    clock.advance(1_000);

    const second = await open();
    expect((await second.getActionStatus(id, 'lock')).state).toBe('pending');
    clock.advance(3_000);
    expect((await second.getActionStatus(id, 'lock')).state).toBe('done');
    // The passcode lived only in the first process's memory.
    const reset = await second.getActionStatus(pixel, 'resetPasscode');
    expect(reset.state).toBe('done');
    expect(reset).not.toHaveProperty('passcode');
  });
});

describe('directory', () => {
  it("answers which of the named groups a user is in, from the tenant's users", async () => {
    const tenant = await open();
    const bob = 'f7c99865-f6d1-4366-9e35-3885b951e68e';
    expect(await tenant.memberGroups(bob, ['11111111-1111-1111-1111-111111111111', 'other'])).toEqual(['11111111-1111-1111-1111-111111111111']);
    expect(await tenant.memberGroups('40e5033a-6a45-4dfc-9591-46507a0387db', ['11111111-1111-1111-1111-111111111111'])).toEqual([]);
    expect(await tenant.memberGroups('nobody', ['11111111-1111-1111-1111-111111111111'])).toEqual([]);
  });
});

describe('lost-device actions', () => {
  const lostText = { message: 'This iPhone is lost. Please call the helpdesk.', phoneNumber: '+1 206 555 0100', footer: 'Contoso IT' };
  const withText = (id: string, text = lostText) => ({ parameters: new Map([[id, { lostMode: text }]]) });
  const settle = () => clock.advance(4_000);

  it('reads isSupervised and lostModeState from the tenant file on every read, and leaves them absent where it says nothing', async () => {
    const tenant = await open();
    const dana = await deviceNamed(tenant, "Dana's iPhone 15");
    expect(dana).toMatchObject({ isSupervised: true, lostModeState: 'disabled', ownerType: 'company' });
    expect(await deviceNamed(tenant, "Ivan's iPhone 14")).toMatchObject({ isSupervised: true, lostModeState: 'enabled' });
    const judy = await deviceNamed(tenant, "Judy's iPhone 13");
    expect(judy.isSupervised).toBe(false);
    expect(judy).not.toHaveProperty('lostModeState');
    const alice = await deviceNamed(tenant, "Alice's iPhone");
    expect(alice).not.toHaveProperty('isSupervised');
    expect(alice).not.toHaveProperty('lostModeState');
    // The file's other new field stays in the tenant.
    expect(await deviceNamed(tenant, "Kai's Galaxy Tab S9")).not.toHaveProperty('locateAllowed');
    expect(await tenant.getDevice(dana.id)).toEqual(dana);
    expect(await tenant.getDevices([dana.id])).toEqual([dana]);
    expect(await tenant.listUserDevices('dana@contoso.com')).toEqual([dana]);
  });

  it('loads a tenant file written before these fields existed, and refuses a Lost Mode state it does not know', async () => {
    const seed = JSON.parse(await readFile(seedFile, 'utf8'));
    for (const device of seed.devices) {
      delete device.isSupervised;
      delete device.lostModeState;
      delete device.locateAllowed;
    }
    await mkdir(path.dirname(runFile), { recursive: true });
    await writeFile(runFile, JSON.stringify(seed));
    const tenant = await open();
    expect(await deviceNamed(tenant, "Dana's iPhone 15")).not.toHaveProperty('isSupervised');
    seed.devices[0].lostModeState = 'lost';
    await writeFile(runFile, JSON.stringify(seed));
    await expect(open()).rejects.toThrow(/devices\.0\.lostModeState/);
  });

  it('enableLostMode without a message or a phone number is refused for that device and changes nothing', async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Dana's iPhone 15");
    const other = (await deviceNamed(tenant, "Ivan's iPhone 14")).id;
    const [none] = await tenant.dispatch('enableLostMode', [id]);
    expect(none).toMatchObject({ deviceId: id, ok: false, error: { code: ERROR_CODES.REFUSED } });
    const empty = { message: ' ', phoneNumber: '', footer: 'Contoso IT' };
    const results = await tenant.dispatch('enableLostMode', [id, other], { parameters: new Map([[id, { lostMode: empty }], [other, { lostMode: lostText }]]) });
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    settle();
    expect(await tenant.getActionStatus(id, 'enableLostMode')).toEqual({ state: 'none' });
    expect((await tenant.getDevice(id))?.lostModeState).toBe('disabled');
    expect(JSON.parse(await readFile(runFile, 'utf8')).actions).toHaveLength(1);
  });

  it('enableLostMode settles like a lock, and only then is the device in Lost Mode, on every read and after a restart', async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Dana's iPhone 15");
    expect(await tenant.dispatch('enableLostMode', [id], withText(id, { ...lostText, phoneNumber: '' }))).toEqual([{ deviceId: id, ok: true }]);
    expect((await tenant.getActionStatus(id, 'enableLostMode')).state).toBe('pending');
    clock.advance(3_999);
    expect((await tenant.getActionStatus(id, 'enableLostMode')).state).toBe('active');
    expect((await tenant.getDevice(id))?.lostModeState).toBe('disabled');
    clock.advance(1);
    expect((await tenant.getActionStatus(id, 'enableLostMode')).state).toBe('done');
    expect((await tenant.getDevice(id))?.lostModeState).toBe('enabled');
    expect((await tenant.getDevices([id]))[0]?.lostModeState).toBe('enabled');
    expect((await tenant.listUserDevices('dana@contoso.com'))[0]?.lostModeState).toBe('enabled');
    expect((await tenant.findDevices({ by: 'namePrefix', value: 'dana' }))[0]?.lostModeState).toBe('enabled');
    // The lock-screen text is not the tenant file's business.
    const text = await readFile(runFile, 'utf8');
    expect(text).not.toContain(lostText.message);
    expect(text).not.toContain('555');
    expect((await (await open()).getDevice(id))?.lostModeState).toBe('enabled');
  });

  it('Intune refuses Lost Mode where Apple or Intune would: unsupervised, supervision unknown, not an iPhone or iPad', async () => {
    const tenant = await open();
    for (const name of ["Judy's iPhone 13", "Alice's iPhone", "Kai's Pixel 9", "Alice's MacBook Pro"]) {
      const { id } = await deviceNamed(tenant, name);
      expect(await tenant.dispatch('enableLostMode', [id], withText(id)), name).toEqual([{ deviceId: id, ok: true }]);
      settle();
      expect((await tenant.getActionStatus(id, 'enableLostMode')).state, name).toBe('notSupported');
      expect((await tenant.getDevice(id))?.lostModeState, name).toBeUndefined();
    }
  });

  it('disableLostMode turns off a device in Lost Mode once it settles, and fails on one that is not in it', async () => {
    const tenant = await open();
    const ivan = (await deviceNamed(tenant, "Ivan's iPhone 14")).id;
    const dana = (await deviceNamed(tenant, "Dana's iPhone 15")).id;
    await tenant.dispatch('disableLostMode', [ivan, dana]);
    expect((await tenant.getDevice(ivan))?.lostModeState).toBe('enabled');
    settle();
    expect((await tenant.getActionStatus(ivan, 'disableLostMode')).state).toBe('done');
    expect((await tenant.getDevice(ivan))?.lostModeState).toBe('disabled');
    expect((await tenant.getActionStatus(dana, 'disableLostMode')).state).toBe('failed');
    expect((await tenant.getDevice(dana))?.lostModeState).toBe('disabled');
    // Enabled again later: the latest finished change wins.
    await tenant.dispatch('enableLostMode', [ivan], withText(ivan));
    settle();
    expect((await tenant.getDevice(ivan))?.lostModeState).toBe('enabled');
  });

  it('leaves an offline device as it was: nothing it was sent has reached it', async () => {
    const tenant = await open();
    const ivan = await deviceNamed(tenant, "Ivan's iPhone 14");
    const seed = JSON.parse(await readFile(runFile, 'utf8'));
    seed.devices.find((d: { id: string }) => d.id === ivan.id).offline = true;
    await writeFile(runFile, JSON.stringify(seed));
    const offline = await open();
    await offline.dispatch('disableLostMode', [ivan.id]);
    clock.advance(7 * 24 * 60 * MINUTE);
    expect((await offline.getActionStatus(ivan.id, 'disableLostMode')).state).toBe('pending');
    expect((await offline.getDevice(ivan.id))?.lostModeState).toBe('enabled');
  });

  const parseLocation = (text: string) => {
    const match = /^(-?\d+\.\d{5}), (-?\d+\.\d{5}) within about (\d+) m, as of (\S+)\. Map: https:\/\/www\.openstreetmap\.org\//.exec(text);
    if (!match) throw new Error(`not a location: ${text}`);
    return { latitude: Number(match[1]), longitude: Number(match[2]), accuracy: Number(match[3]), at: match[4] };
  };

  it('locateDevice finds a device in Lost Mode near Seattle, as a Secret, collected when it settled, never written', async () => {
    const tenant = await open();
    const ivan = (await deviceNamed(tenant, "Ivan's iPhone 14")).id;
    const kai = (await deviceNamed(tenant, "Kai's Pixel 9")).id;
    const sentAt = clock.now().getTime();
    await tenant.dispatch('locateDevice', [ivan, kai]);
    expect(await tenant.getActionStatus(ivan, 'locateDevice')).not.toHaveProperty('location');
    settle();
    const status = await tenant.getActionStatus(ivan, 'locateDevice');
    expect(status.state).toBe('done');
    expect(status.location).toBeInstanceOf(Secret);
    const where = parseLocation(status.location?.reveal() ?? '');
    expect(Math.abs(where.latitude - 47.6062)).toBeLessThan(0.05);
    expect(Math.abs(where.longitude + 122.3321)).toBeLessThan(0.05);
    expect(where.accuracy).toBeGreaterThanOrEqual(10);
    expect(where.accuracy).toBeLessThanOrEqual(50);
    expect(where.at).toBe(new Date(sentAt + 4_000).toISOString());
    expect(JSON.stringify(status)).not.toContain(String(where.latitude));
    const pixel = parseLocation((await tenant.getActionStatus(kai, 'locateDevice')).location?.reveal() ?? '');
    expect([pixel.latitude, pixel.longitude]).not.toEqual([where.latitude, where.longitude]);

    const text = await readFile(runFile, 'utf8');
    expect(text).not.toContain(where.latitude.toFixed(3));
    expect(text).not.toMatch(/"(location|latitude|longitude)"/i);
    // After a restart the location is gone: it lived only in this process's memory.
    const again = await (await open()).getActionStatus(ivan, 'locateDevice');
    expect(again.state).toBe('done');
    expect(again).not.toHaveProperty('location');
  });

  it('locateDevice settles notSupported where the device cannot say: locating not allowed, an iPhone not in Lost Mode, a Mac', async () => {
    const tenant = await open();
    for (const name of ["Kai's Galaxy Tab S9", "Dana's iPhone 15", "Alice's MacBook Pro"]) {
      const { id } = await deviceNamed(tenant, name);
      expect(await tenant.dispatch('locateDevice', [id]), name).toEqual([{ deviceId: id, ok: true }]);
      settle();
      const status = await tenant.getActionStatus(id, 'locateDevice');
      expect(status.state, name).toBe('notSupported');
      expect(status, name).not.toHaveProperty('location');
    }
  });

  it('locates an iPhone once Lost Mode has been enabled on it', async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Dana's iPhone 15");
    await tenant.dispatch('enableLostMode', [id], withText(id));
    settle();
    await tenant.dispatch('locateDevice', [id]);
    settle();
    expect((await tenant.getActionStatus(id, 'locateDevice')).location).toBeInstanceOf(Secret);
  });

  it('playLostModeSound plays on an iPhone in Lost Mode and on a corporate Android, not on an iPhone out of Lost Mode', async () => {
    const tenant = await open();
    const expected = { "Ivan's iPhone 14": 'done', "Kai's Pixel 9": 'done', "Dana's iPhone 15": 'notSupported', 'ALICE-LAPTOP': 'notSupported' } as const;
    for (const [name, state] of Object.entries(expected)) {
      const { id } = await deviceNamed(tenant, name);
      await tenant.dispatch('playLostModeSound', [id]);
      settle();
      expect((await tenant.getActionStatus(id, 'playLostModeSound')).state, name).toBe(state);
    }
  });

  it('signOut signs out the user it is given, and refuses without one or for one the directory does not have', async () => {
    const tenant = await open();
    const phone = await deviceNamed(tenant, "Kai's Pixel 9");
    const old = await deviceNamed(tenant, "Bob's old iPhone");
    const results = await tenant.dispatch('signOut', [phone.id, old.id], { parameters: new Map([[phone.id, { userId: phone.userId }], [old.id, { userId: old.userId }]]) });
    expect(results.every((r) => r.ok)).toBe(true);
    settle();
    expect((await tenant.getActionStatus(phone.id, 'signOut')).state).toBe('done');
    // It happens in Entra ID: the phone being offline does not hold it up.
    expect((await tenant.getActionStatus(old.id, 'signOut')).state).toBe('done');
    const other = (await deviceNamed(tenant, "Kai's Galaxy Tab S9")).id;
    const refused = await tenant.dispatch('signOut', [other, phone.id], { parameters: new Map([[phone.id, { userId: 'no-such-user' }]]) });
    expect(refused).toMatchObject([
      { deviceId: other, ok: false, error: { code: ERROR_CODES.REFUSED } },
      { deviceId: phone.id, ok: false, error: { code: ERROR_CODES.REFUSED } },
    ]);
    expect(await tenant.getActionStatus(other, 'signOut')).toEqual({ state: 'none' });
  });

  it('injected failures apply to the new actions too, over what Intune would decide', async () => {
    const tenant = await open();
    const { id } = await deviceNamed(tenant, "Dana's iPhone 15");
    tenant.injectFailure(id, 'enableLostMode', 'failed');
    await tenant.dispatch('enableLostMode', [id], withText(id));
    settle();
    expect((await tenant.getActionStatus(id, 'enableLostMode')).state).toBe('failed');
    expect((await tenant.getDevice(id))?.lostModeState).toBe('disabled');
  });
});
