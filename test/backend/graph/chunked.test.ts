// The inventory refresh works through 100k devices in slices, giving the event loop back between them. Whether it
// yields is counted (setImmediate turns), not timed; a chunked rebuild must give the same index as a plain loop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHUNK, forEachChunk } from '../../../src/backend/graph/chunked.js';
import { MemoryInventoryIndex } from '../../../src/backend/graph/inventory-index.js';
import type { InventoryEntry } from '../../../src/ports.js';

const id = (n: number) => `00000001-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('chunked loops', () => {
  afterEach(() => vi.restoreAllMocks());

  it('visits every item in order, with one turn of the event loop between slices', async () => {
    const turns = vi.spyOn(globalThis, 'setImmediate');
    const seen: number[] = [];
    await forEachChunk([...Array(10).keys()], (n) => seen.push(n), 3);
    expect(seen).toEqual([...Array(10).keys()]);
    expect(turns).toHaveBeenCalledTimes(3); // slices 0-2 | 3-5 | 6-8 | 9
    turns.mockClear();
    await forEachChunk([1, 2, 3], () => {}, 3);
    await forEachChunk([], () => {});
    expect(turns).not.toHaveBeenCalled();
  });

  it('lets other callbacks run between slices', async () => {
    let ran = 0;
    let done = false;
    const count = () => {
      ran += 1;
      if (!done) setImmediate(count);
    };
    setImmediate(count);
    await forEachChunk([...Array(4 * CHUNK).keys()], () => {});
    done = true;
    expect(ran).toBeGreaterThanOrEqual(3);
  });
});

describe('the in-memory inventory index, rebuilt in slices', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the same index as a plain loop, over several slices', async () => {
    const entries: InventoryEntry[] = [];
    for (let n = 0; n < 2 * CHUNK + 345; n++) {
      // Every 7th device shares a serial with the one before (in another case), every 11th has none.
      const serial = n % 11 === 0 ? '  ' : n % 7 === 0 ? `sn${n - 1}` : `SN${n}`;
      entries.push({ id: id(n), serialNumber: serial });
    }
    const turns = vi.spyOn(globalThis, 'setImmediate');
    const index = new MemoryInventoryIndex();
    const at = new Date('2026-01-01T00:00:00Z');
    await index.replaceAll(entries, at);
    expect(turns.mock.calls.length).toBeGreaterThanOrEqual(2);
    const expected = new Map<string, string[]>();
    for (const e of entries) {
      const k = e.serialNumber.trim().toLowerCase();
      if (k !== '') expected.set(k, [...(expected.get(k) ?? []), e.id]);
    }
    for (const [serial, ids] of expected) expect(await index.idsBySerial(serial.toUpperCase())).toEqual(ids);
    expect(await index.idsBySerial('')).toEqual([]);
    expect(index.size).toBe(entries.length);
    expect(index.refreshedAt).toBe(at);
  });

  it('answers from the previous index until the new one is complete', async () => {
    const index = new MemoryInventoryIndex();
    await index.replaceAll([{ id: id(1), serialNumber: 'OLD' }], new Date(1));
    const next = [...Array(2 * CHUNK).keys()].map((n) => ({ id: id(n + 10), serialNumber: n === 0 ? 'NEW' : `S${n}` }));
    const rebuilding = index.replaceAll(next, new Date(2));
    expect(await index.idsBySerial('old')).toEqual([id(1)]);
    expect(await index.idsBySerial('new')).toEqual([]);
    expect(index.refreshedAt).toEqual(new Date(1));
    await rebuilding;
    expect(await index.idsBySerial('old')).toEqual([]);
    expect(await index.idsBySerial('new')).toEqual([id(10)]);
  });
});
