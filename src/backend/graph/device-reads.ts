// Managed devices as lockdesk reads them: a list, one device, or several by id, each with every field lockdesk
// needs in the same answer. From beta when it is enabled (deviceType, the enroller and the newer enrollment values
// are beta's); a read beta refuses is asked again on v1.0, so a change in beta costs those fields, not the look-up.
import { ERROR_CODES, isLockdeskError } from '../../core/errors.js';
import type { Logger } from '../../ports.js';
import { batchGet } from './batch-read.js';
import type { GraphDevice } from './device-map.js';
import type { GraphHttp } from './http.js';
import { BETA_SELECT, DEVICE_SELECT, query, select, type GraphVersion } from './odata.js';
import { readAllPages } from './paging.js';

export interface ListRequest {
  /** The collection under the version: /deviceManagement/managedDevices or /users/{id or UPN}/managedDevices. */
  collection: string;
  filter?: string;
  top?: string;
  what: string;
  /** Stop paging once the items in hand will do. */
  enough?: (items: readonly GraphDevice[]) => boolean;
  maxPages?: number;
}

/** Graph answered a read with a 4xx lockdesk does not expect (not 401, 403, 404 or 429): it did not take the request. */
const refusedRead = (error: unknown) => isLockdeskError(error) && error.code === ERROR_CODES.INTERNAL;

export class DeviceReads {
  readonly #http: GraphHttp;
  readonly #logger: Logger;
  readonly #beta: boolean;

  constructor(http: GraphHttp, logger: Logger, beta: boolean) {
    this.#http = http;
    this.#logger = logger;
    this.#beta = beta;
  }

  /** Whether reads go to beta (and so may carry the enroller). */
  get beta(): boolean {
    return this.#beta;
  }

  async list(req: ListRequest): Promise<{ items: GraphDevice[]; capped: boolean }> {
    return this.#eitherVersion(req.what, (version, fields) =>
      readAllPages(this.#http, `/${version}${req.collection}${query({ $filter: req.filter, $select: select(fields), $top: req.top })}`, req.what, req.enough, req.maxPages),
    );
  }

  /** One device; undefined when Graph has no such id. */
  async byId(id: string): Promise<GraphDevice | undefined> {
    try {
      return await this.#eitherVersion('read by id', async (version, fields) => {
        const path = `/${version}/deviceManagement/managedDevices/${encodeURIComponent(id)}${query({ $select: select(fields) })}`;
        return (await this.#http.call('GET', path, { kind: 'lookup', what: 'read by id' })).body as GraphDevice;
      });
    } catch (error) {
      if (isLockdeskError(error) && error.code === ERROR_CODES.DEVICE_NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** Several devices, 20 to a $batch; ids Graph does not know are left out. */
  async byIds(ids: readonly string[]): Promise<GraphDevice[]> {
    return this.#eitherVersion('re-read by id', (version, fields) => batchGet(this.#http, version, ids, fields, 're-read by id'));
  }

  async #eitherVersion<T>(what: string, read: (version: GraphVersion, fields: readonly string[]) => Promise<T>): Promise<T> {
    if (!this.#beta) return read('v1.0', DEVICE_SELECT);
    try {
      return await read('beta', BETA_SELECT);
    } catch (error) {
      if (!refusedRead(error)) throw error;
      this.#logger.warn({ what, err: error }, 'beta refused a device read; it was asked again on v1.0 (no deviceType, enroller or newer enrollment values)');
      return read('v1.0', DEVICE_SELECT);
    }
  }
}
