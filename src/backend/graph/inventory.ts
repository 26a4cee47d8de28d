// Keeps the inventory index fresh: a full read of the tenant with a two-field $select, on start and then every
// refresh interval. One refresh at a time; a look-up that finds the index empty waits for the first one.
import type { Clock, Logger } from '../../ports.js';
import type { GraphHttp } from './http.js';
import type { InventoryEntry, InventoryIndex } from '../../ports.js';
import { forEachChunk } from './chunked.js';
import { INVENTORY_SELECT, MANAGED_DEVICES, query, select } from './odata.js';
import { readAllPages } from './paging.js';

export interface RefreshReport {
  devices: number;
  requests: number;
  ms: number;
}

export class Inventory {
  readonly index: InventoryIndex;
  readonly #http: GraphHttp;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #running: Promise<RefreshReport> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(http: GraphHttp, index: InventoryIndex, clock: Clock, logger: Logger, intervalMs: number) {
    this.#http = http;
    this.index = index;
    this.#clock = clock;
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  /** Rebuilds the index from Graph; concurrent callers share one refresh. */
  refresh(): Promise<RefreshReport> {
    this.#running ??= this.#refresh().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Milliseconds since the last complete refresh; undefined before the first. */
  age(): number | undefined {
    const at = this.index.refreshedAt;
    return at === undefined ? undefined : this.#clock.now().getTime() - at.getTime();
  }

  /** The index is usable; when it is not, the refresh under way (if any) to wait for. */
  get ready(): boolean {
    return this.index.refreshedAt !== undefined;
  }

  get refreshing(): Promise<RefreshReport> | undefined {
    return this.#running;
  }

  start(): void {
    if (this.#timer) return;
    const run = () =>
      this.#refreshUnlessFresh().then(
        (r) => this.#logger.info({ devices: r.devices, requests: r.requests, ms: r.ms }, 'inventory index refreshed'),
        (err: unknown) => this.#logger.warn({ err }, 'inventory index refresh failed; the previous index stays'),
      );
    void run();
    this.#timer = setInterval(run, this.#intervalMs);
    this.#timer.unref();
  }

  /** With a shared index, the replica whose turn comes first refreshes it; the others find it fresh and wait. */
  async #refreshUnlessFresh(): Promise<RefreshReport> {
    await this.index.reload?.();
    const age = this.age();
    if (age !== undefined && age < this.#intervalMs * 0.9) return { devices: this.index.size, requests: 0, ms: 0 };
    return this.refresh();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #refresh(): Promise<RefreshReport> {
    const started = this.#clock.now();
    const { items, pages } = await readAllPages(this.#http, `${MANAGED_DEVICES}${query({ $select: select(INVENTORY_SELECT) })}`, 'inventory refresh');
    const entries: InventoryEntry[] = [];
    await forEachChunk(items, (d) => {
      if (typeof d['id'] === 'string') entries.push({ id: d['id'], serialNumber: typeof d['serialNumber'] === 'string' ? d['serialNumber'] : '' });
    });
    // Stamped with the start: a device enrolled during the read may be missing, so the index is as old as its start.
    await this.index.replaceAll(entries, started);
    return { devices: entries.length, requests: pages, ms: this.#clock.now().getTime() - started.getTime() };
  }
}
