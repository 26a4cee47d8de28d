// state.json's bytes: exactly what JSON.stringify(data, null, 2) writes, in UTF-8, with each record serialised once
// while the store keeps the same record object (a changed record is a new object, so it is serialised again).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { STATE_FILE, openLowdbStore } from '../../src/store/lowdb/index.js';
import { StateFile, stateFileChunks } from '../../src/store/lowdb/state-file.js';
import { STATE_VERSION, type StateFileData } from '../../src/store/lowdb/schema.js';
import { alice, at, confirmation, dispatch } from './fixtures.js';

const pretty = (data: unknown) => `${JSON.stringify(data, null, 2)}\n`;
const stateText = (data: StateFileData) => Buffer.concat(stateFileChunks(data)).toString('utf8');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('lowdb state.json text', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('is byte for byte what JSON.stringify(data, null, 2) writes, empty lists and odd text included', () => {
    const odd = confirmation({
      devices: [
        { id: 'dev-1', name: 'Zoë\'s "iPad"\nline two\t\\ \u2028 \u0001', userId: 'u-1', offered: true },
        { id: 'dev-2', name: '😀 {}[],:', userId: '', offered: false },
      ],
      requesterGroups: [],
      resolvedBy: { platform: 'teams', id: '29:x', aadObjectId: 'a' },
    });
    const cases: StateFileData[] = [
      { version: STATE_VERSION, confirmations: [], dispatches: [] },
      { version: STATE_VERSION, confirmations: [odd], dispatches: [] },
      { version: STATE_VERSION, confirmations: [], dispatches: [dispatch()] },
      { version: STATE_VERSION, confirmations: [odd, confirmation()], dispatches: [dispatch({ detail: 'x\ny', replyRef: { platform: 'slack', data: { nested: { deep: [1, 'two'] } } } }), dispatch()] },
    ];
    for (const data of cases) expect(stateText(data)).toBe(pretty(data));
  });

  it('serialises a record kept from the last write once, and a replaced record again', () => {
    const kept = confirmation();
    const first: StateFileData = { version: STATE_VERSION, confirmations: [kept], dispatches: [] };
    expect(stateText(first)).toBe(pretty(first));
    const stringify = vi.spyOn(JSON, 'stringify');
    const replaced = { ...kept, status: 'confirmed' as const, resolvedAt: at(1000).toISOString(), resolvedBy: alice };
    const second: StateFileData = { version: STATE_VERSION, confirmations: [kept, replaced], dispatches: [] };
    const text = stateText(second);
    // The version and the one new object; the kept record's text is reused.
    expect(stringify.mock.calls.map(([value]) => value)).toEqual([STATE_VERSION, replaced]);
    stringify.mockRestore();
    expect(text).toBe(pretty(second));
  });

  it('writes every chunk, more of them than one writev takes (IOV_MAX is 1024)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockdesk-state-text-'));
    dirs.push(dir);
    const { state, records } = await StateFile.open(join(dir, STATE_FILE));
    for (let i = 0; i < 700; i++) {
      const c = confirmation();
      records.confirmations.set(c.id, c);
    }
    await state.write(records);
    const text = await readFile(join(dir, STATE_FILE), 'utf8');
    expect(text).toBe(pretty({ version: STATE_VERSION, confirmations: [...records.confirmations.values()], dispatches: [] }));
  });

  it('is what the store writes as records are created and changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lockdesk-state-text-'));
    dirs.push(dir);
    const store = await openLowdbStore({ dir, logger: quiet });
    const c = confirmation();
    await store.confirmations.create(c);
    await store.confirmations.create(confirmation());
    await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', new Date());
    const d = dispatch();
    await store.dispatches.recordIntent(d);
    await store.dispatches.transition(d.id, 'dispatching', { state: 'pending', updatedAt: new Date().toISOString() });
    const text = await readFile(join(dir, STATE_FILE), 'utf8');
    await store.close();
    const data = JSON.parse(text) as { confirmations: Array<{ id: string; status: string }>; dispatches: Array<{ state: string }> };
    expect(text).toBe(pretty(data));
    expect(data.confirmations.find((x) => x.id === c.id)?.status).toBe('confirmed');
    expect(data.dispatches.map((x) => x.state)).toEqual(['pending']);
  });
});
