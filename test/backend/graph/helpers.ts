// Shared pieces of the Graph backend tests: settings, a clock that moves when slept on, a logger that keeps every
// line as text, and a token source that counts its calls.
import nock from 'nock';
import type { TokenSource } from '../../../src/backend/graph/auth.js';
import { createGraphBackend, DEFAULT_TUNING, type GraphBackend, type GraphSettings } from '../../../src/backend/graph/index.js';
import { Secret } from '../../../src/core/types.js';
import type { Clock, Logger } from '../../../src/ports.js';

export const GRAPH = 'https://graph.microsoft.com';
export const SECRET = 'client-secret-VALUE-never-logged';
export const TOKEN = 'eyJ0eXAi.token-VALUE-never-logged.sig';

export const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function settings(overrides: Partial<GraphSettings> = {}): GraphSettings {
  return {
    ...DEFAULT_TUNING,
    tenantId: 'contoso.onmicrosoft.com',
    clientId: '11111111-2222-3333-4444-555555555555',
    credential: { kind: 'secret', clientSecret: new Secret(SECRET) },
    graphBaseUrl: GRAPH,
    authorityHost: 'https://login.microsoftonline.com',
    betaDetails: false,
    retryBaseMs: 100,
    retryCapMs: 2_000,
    ...overrides,
  };
}

/** Sleeping moves time forward at once; every sleep is recorded. */
export class SteppingClock implements Clock {
  #now = Date.parse('2025-06-02T09:00:00.000Z');
  readonly sleeps: number[] = [];
  now(): Date {
    return new Date(this.#now);
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.#now += Math.max(0, ms);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  #push(level: string, obj: object, msg?: string) {
    this.lines.push(JSON.stringify({ level, msg, ...obj }, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack, cause: String(v.cause) } : v)));
  }
  debug(obj: object, msg?: string) {
    this.#push('debug', obj, msg);
  }
  info(obj: object, msg?: string) {
    this.#push('info', obj, msg);
  }
  warn(obj: object, msg?: string) {
    this.#push('warn', obj, msg);
  }
  error(obj: object, msg?: string) {
    this.#push('error', obj, msg);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export class CountingTokens implements TokenSource {
  calls: Array<{ fresh: boolean }> = [];
  async getToken(options: { fresh?: boolean } = {}): Promise<string> {
    this.calls.push({ fresh: options.fresh === true });
    return options.fresh ? `${TOKEN}-fresh` : TOKEN;
  }
}

export interface Harness {
  backend: GraphBackend;
  clock: SteppingClock;
  logger: CapturingLogger;
  tokens: CountingTokens;
}

export async function harness(overrides: Partial<GraphSettings> = {}): Promise<Harness> {
  const clock = new SteppingClock();
  const logger = new CapturingLogger();
  const tokens = new CountingTokens();
  const backend = await createGraphBackend({ settings: settings(overrides), clock, logger, tokens });
  return { backend, clock, logger, tokens };
}

export function graphDevice(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: id(n),
    deviceName: `Device ${n}`,
    model: 'Pixel 8',
    manufacturer: 'Google',
    operatingSystem: 'Android',
    osVersion: '14',
    serialNumber: `SER-${n}`,
    userId: 'aaaaaaaa-0000-4000-8000-000000000001',
    userPrincipalName: 'pat@contoso.com',
    userDisplayName: 'Pat Doe',
    emailAddress: 'pat@contoso.com',
    managementAgent: 'mdm',
    deviceEnrollmentType: 'androidEnterpriseFullyManaged',
    managedDeviceOwnerType: 'company',
    lastSyncDateTime: '2025-06-02T08:00:00Z',
    ...fields,
  };
}

export function setupNock(): void {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
}

export function teardownNock(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  if (pending.length > 0) throw new Error(`nock interceptors not used: ${pending.join(', ')}`);
}
