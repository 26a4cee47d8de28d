// The inventory index of one process (see InventoryIndex in src/ports.ts; PostgreSQL keeps a shared one).
import type { InventoryEntry, InventoryIndex } from '../../ports.js';

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
    for (const { id, serialNumber } of entries) {
      if (key(serialNumber) === '') continue;
      const ids = next.get(key(serialNumber));
      if (ids) ids.push(id);
      else next.set(key(serialNumber), [id]);
    }
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
