// The inventory index of one process (see InventoryIndex in src/ports.ts; PostgreSQL keeps a shared one).
import type { InventoryEntry, InventoryIndex } from '../../ports.js';
import { forEachChunk } from './chunked.js';

const key = (serial: string) => serial.trim().toLowerCase();

export class MemoryInventoryIndex implements InventoryIndex {
  #bySerial = new Map<string, string[]>();
  #refreshedAt: Date | undefined;
  #size = 0;

  async idsBySerial(serial: string): Promise<string[]> {
    return [...(this.#bySerial.get(key(serial)) ?? [])];
  }

  async replaceAll(entries: readonly InventoryEntry[], refreshedAt: Date): Promise<void> {
    const next = new Map<string, string[]>();
    // In slices (100k entries are ~40 ms of work); look-ups meanwhile read the previous index.
    await forEachChunk(entries, ({ id, serialNumber }) => {
      const k = key(serialNumber);
      if (k === '') return;
      const ids = next.get(k);
      if (ids) ids.push(id);
      else next.set(k, [id]);
    });
    this.#bySerial = next;
    this.#size = entries.length;
    this.#refreshedAt = refreshedAt;
  }

  get refreshedAt(): Date | undefined {
    return this.#refreshedAt;
  }

  get size(): number {
    return this.#size;
  }
}
