// Remote actions the fake received: each one is pending, then active, then settles after `settleMs` (an offline
// device never settles). Android resets produce a temporary passcode; iOS resets remove the passcode (none given).
// A Mac's lock produces a six-digit unlock PIN, which only beta serialises (v1.0 gives unlockPin null).
import { randomInt } from 'node:crypto';
import type { FakeDevice } from './tenant.js';

export type ActionName = 'remoteLock' | 'resetPasscode';

export interface ActionRecord {
  deviceId: string;
  action: ActionName;
  startedAt: number;
  outcome: 'done' | 'failed' | 'notSupported';
  passcode?: string;
  unlockPin?: string;
}

export interface ActionOptions {
  settleMs: number;
  /** false: v1.0 serialises the reset result without its passcode (null), so only beta has it. */
  passcodeInV1: boolean;
  now: () => number;
}

const PASSCODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newPasscode(): string {
  let out = '';
  for (let i = 0; i < 10; i += 1) out += PASSCODE_ALPHABET[randomInt(PASSCODE_ALPHABET.length)];
  return out;
}

const isAndroid = (d: FakeDevice) => String(d.json.operatingSystem).toLowerCase().includes('android');
const isMac = (d: FakeDevice) => String(d.json.operatingSystem).toLowerCase() === 'macos';
const isAppleMobile = (d: FakeDevice) => ['ios', 'ipados'].includes(String(d.json.operatingSystem).toLowerCase());

export class ActionBook {
  readonly #options: ActionOptions;
  /** The latest action of each name per device, as deviceActionResults keeps it. */
  readonly #latest = new Map<string, Map<ActionName, ActionRecord>>();
  /** Every passcode and unlock PIN ever issued, so tests can look for them where they must not be. */
  readonly passcodes: string[] = [];

  constructor(options: ActionOptions) {
    this.#options = options;
  }

  record(device: FakeDevice, action: ActionName): ActionRecord {
    const outcome = action === 'resetPasscode' && !isAndroid(device) && !isAppleMobile(device) ? 'notSupported' : 'done';
    const record: ActionRecord = { deviceId: device.json.id, action, startedAt: this.#options.now(), outcome };
    if (action === 'resetPasscode' && outcome === 'done' && isAndroid(device)) {
      record.passcode = newPasscode();
      this.passcodes.push(record.passcode);
    }
    if (action === 'remoteLock' && isMac(device)) {
      record.unlockPin = String(randomInt(0, 1_000_000)).padStart(6, '0');
      this.passcodes.push(record.unlockPin);
    }
    const byName = this.#latest.get(device.json.id) ?? new Map<ActionName, ActionRecord>();
    byName.set(action, record);
    this.#latest.set(device.json.id, byName);
    return record;
  }

  state(device: FakeDevice, record: ActionRecord): 'pending' | 'active' | ActionRecord['outcome'] {
    const elapsed = this.#options.now() - record.startedAt;
    if (device.offline || elapsed < this.#options.settleMs / 2) return 'pending';
    if (elapsed < this.#options.settleMs) return 'active';
    return record.outcome;
  }

  /** deviceActionResults as Graph serialises them for this API version. */
  results(device: FakeDevice, version: 'v1.0' | 'beta'): Array<Record<string, unknown>> {
    const byName = this.#latest.get(device.json.id);
    if (!byName) return [];
    return [...byName.values()].map((r) => {
      const state = this.state(device, r);
      const settled = state !== 'pending' && state !== 'active';
      const updated = settled ? r.startedAt + this.#options.settleMs : r.startedAt;
      const base = {
        actionName: r.action,
        actionState: state,
        startDateTime: new Date(r.startedAt).toISOString(),
        lastUpdatedDateTime: new Date(updated).toISOString(),
      };
      if (r.action === 'remoteLock') {
        const showPin = state === 'done' && r.unlockPin !== undefined && version === 'beta';
        return { '@odata.type': '#microsoft.graph.remoteLockActionResult', ...base, unlockPin: showPin ? r.unlockPin : null };
      }
      const showPasscode = settled && r.passcode !== undefined && (version === 'beta' || this.#options.passcodeInV1);
      return {
        '@odata.type': '#microsoft.graph.resetPasscodeActionResult',
        ...base,
        passcode: showPasscode ? r.passcode : null,
        ...(version === 'beta' ? { errorCode: 0 } : {}),
      };
    });
  }

  reset(): void {
    this.#latest.clear();
    this.passcodes.length = 0;
  }
}
