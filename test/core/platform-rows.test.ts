// Every platform row × action, through the handler, on the simulated tenant's demo devices.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedTenant } from '../../src/backend/simulated/simulated-tenant.js';
import { createHandler, DEFAULT_SETTINGS, findPlatformRow, policySchema, supportFor, DEVICE_ACTIONS, type Device, type DeviceAction } from '../../src/core/index.js';
import { buttonsOf } from '../../src/core/reply.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { FakeClock } from '../fakes/clock.js';
import { actor, platforms, RecordingLogger, RecordingSink } from './harness.js';

const seedFile = new URL('../../data/demo-tenant.json', import.meta.url).pathname;
let dir: string;
let tenant: SimulatedTenant;
let devices: Device[];
const clock = new FakeClock(new Date());

/** What the helpdesk types for each action. */
const COMMAND: Record<DeviceAction, string> = {
  lock: 'lock',
  resetPasscode: 'reset passcode',
  enableLostMode: 'lost mode',
  disableLostMode: 'found',
  locateDevice: 'locate',
  playLostModeSound: 'sound',
  signOut: 'sign out',
};

/** The helpdesk may start every action on any device. */
const everyActionPolicy = policySchema.parse({
  approvers: ['email:lead@contoso.com'],
  roles: [{ name: 'helpdesk', members: ['email:help@contoso.com'], actions: [...DEVICE_ACTIONS], devices: 'any' }],
});

/** What the helpdesk types when Lost Mode asks for its lock-screen text. */
const LOST_MODE_TEXT = { message: 'This iPhone is lost. Please call the Contoso helpdesk.', phoneNumber: '+1 206 555 0100', footer: '' };

/** The demo devices as the tenant reads them now (earlier actions may have changed their Lost Mode). */
const readDevices = async (ids: readonly string[]) => (await Promise.all(ids.map((id) => tenant.getDevice(id)))).filter((d): d is Device => !!d);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lockdesk-rows-'));
  tenant = await SimulatedTenant.open({ seedFile, runFile: join(dir, 'tenant.json'), clock, settleMs: 1000 });
  const seed = JSON.parse(await readFile(seedFile, 'utf8')) as { devices: Array<{ id: string }> };
  devices = await readDevices(seed.devices.map((d) => d.id));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('every platform row and action through the handler', () => {
  it('the demo tenant has a device for every row', () => {
    const covered = new Set(devices.map((d) => findPlatformRow(platforms, d)?.id));
    expect([...platforms.rows.map((r) => r.id)].filter((id) => !covered.has(id))).toEqual([]);
  });

  it('the demo tenant has, for every action, a device where it is supported and one where it is not', () => {
    for (const action of DEVICE_ACTIONS) {
      expect(new Set(devices.map((d) => supportFor(platforms, d, action).supported)), action).toEqual(new Set([true, false]));
    }
  });

  for (const action of DEVICE_ACTIONS) {
    it(`${action}: a button exactly where the row supports it, the row's sentence where it does not, and a dispatch that reaches the tenant`, async () => {
      const store = createMemoryStore();
      let n = 0;
      const logger = new RecordingLogger();
      const queue = new MemoryQueue(clock, logger);
      const handler = createHandler({ queue, backend: tenant, store, platforms, policy: everyActionPolicy, clock, ids: { secretId: () => `s${++n}`, id: () => `i${++n}` }, logger, settings: DEFAULT_SETTINGS });
      queue.start((job) => handler.runFollowUp(job));
      const help = actor('help@contoso.com');
      const seen = new Set<string>();
      for (const device of await readDevices(devices.map((d) => d.id))) {
        const support = supportFor(platforms, device, action);
        const sink = new RecordingSink();
        await handler.handleMessage(help, `${COMMAND[action]} ${device.id}`, sink);
        const reply = sink.lastReply;
        const buttons = buttonsOf(reply).filter((b) => b.label !== 'Cancel');
        if (support.supported) {
          expect(buttons, device.name).toHaveLength(1);
          await handler.handleClick(help, buttons[0]!.value, sink);
          // Lost Mode first asks for its lock-screen text.
          const prompt = sink.prompts.at(-1);
          if (prompt?.fields) await handler.handleClick(help, prompt.value, sink, LOST_MODE_TEXT);
          expect(sink.lastUpdate.text, device.name).toMatch(/sent/);
          expect((await tenant.getActionStatus(device.id, action)).state, device.name).not.toBe('none');
        } else {
          expect(buttons, device.name).toHaveLength(0);
          expect(reply.text, device.name).toContain(support.reason);
          expect((await tenant.getActionStatus(device.id, action)).state, device.name).toBe('none');
        }
        seen.add(`${support.rowId}:${support.supported}`);
      }
      expect(seen.size).toBeGreaterThan(5);
    });
  }
});
