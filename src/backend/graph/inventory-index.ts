// Which device ids carry a serial number, answered without asking Graph (which may ignore a serialNumber filter
// and return the whole tenant). Kept behind a small interface: issue 6 moves it into PostgreSQL.

export interface InventoryEntry {
  id: string;
  serialNumber: string;
}

export interface InventoryIndex {
  /** Ids whose serial number equals `serial`, compared case-insensitively. */
  idsBySerial(serial: string): Promise<string[]>;
  /** Replaces the whole index with a fresh read of the tenant. */
  replaceAll(entries: readonly InventoryEntry[], refreshedAt: Date): Promise<void>;
  /** When the last complete refresh finished; undefined before the first. */
  readonly refreshedAt: Date | undefined;
  readonly size: number;
}

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
