// Remote actions the fake received: each one is pending, then active, then settles after `settleMs` (an offline
// device never settles) as action-rules.ts decides. Android resets produce a temporary passcode; iOS resets remove
// the passcode (none given). A Mac's lock produces a six-digit unlock PIN, which only beta serialises (v1.0 gives
// unlockPin null). A finished locate carries a deviceLocation. A finished enable/disable of Lost Mode changes the
// device's lostModeState.
import { randomInt } from 'node:crypto';
import { isAndroid, isMac, locationOf, outcomeOf, type ActionName, type FakeLocation, type Outcome } from './action-rules.js';
import type { FakeDevice } from './tenant.js';

export type { ActionName } from './action-rules.js';

export interface ActionRecord {
  deviceId: string;
  action: ActionName;
  startedAt: number;
  outcome: Outcome;
  passcode?: string;
  unlockPin?: string;
  location?: FakeLocation;
}

export interface ActionOptions {
  settleMs: number;
  /** false: v1.0 serialises the reset result without its passcode (null), so only beta has it. */
  passcodeInV1: boolean;
  /** false: v1.0 serialises a locate's result with deviceLocation null, so only beta has it. */
  locationInV1: boolean;
  now: () => number;
}

const PASSCODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newPasscode(): string {
  let out = '';
  for (let i = 0; i < 10; i += 1) out += PASSCODE_ALPHABET[randomInt(PASSCODE_ALPHABET.length)];
  return out;
}

type LostMode = 'enabled' | 'disabled';

export class ActionBook {
  readonly #options: ActionOptions;
  /** The latest action of each name per device, as deviceActionResults keeps it. */
  readonly #latest = new Map<string, Map<ActionName, ActionRecord>>();
  /** Every passcode and unlock PIN ever issued, so tests can look for them where they must not be. */
  readonly passcodes: string[] = [];
  /** Every location a locate found, for the same reason. */
  readonly locations: FakeLocation[] = [];

  constructor(options: ActionOptions) {
    this.#options = options;
  }

  record(device: FakeDevice, action: ActionName): ActionRecord {
    if (action === 'enableLostMode' || action === 'disableLostMode') {
      // The result about to be replaced may have settled: its effect stays when the record goes.
      device.json.lostModeState = this.lostModeState(device);
    }
    const outcome = outcomeOf(device, action, this.lostModeState(device));
    const startedAt = this.#options.now();
    const record: ActionRecord = { deviceId: device.json.id, action, startedAt, outcome };
    if (action === 'resetPasscode' && outcome === 'done' && isAndroid(device)) {
      record.passcode = newPasscode();
      this.passcodes.push(record.passcode);
    }
    if (action === 'remoteLock' && isMac(device)) {
      record.unlockPin = String(randomInt(0, 1_000_000)).padStart(6, '0');
      this.passcodes.push(record.unlockPin);
    }
    if (action === 'locateDevice' && outcome === 'done') {
      record.location = locationOf(device.json.id, startedAt + this.#options.settleMs);
      this.locations.push(record.location);
    }
    const byName = this.#latest.get(device.json.id) ?? new Map<ActionName, ActionRecord>();
    byName.set(action, record);
    this.#latest.set(device.json.id, byName);
    return record;
  }

  state(device: FakeDevice, record: ActionRecord): 'pending' | 'active' | Outcome {
    const elapsed = this.#options.now() - record.startedAt;
    if (device.offline || elapsed < this.#options.settleMs / 2) return 'pending';
    if (elapsed < this.#options.settleMs) return 'active';
    return record.outcome;
  }

  /** The device's Lost Mode now: the later of its finished enable and disable, else what it was before them. */
  lostModeState(device: FakeDevice): LostMode {
    const byName = this.#latest.get(device.json.id);
    const settled = (['enableLostMode', 'disableLostMode'] as const)
      .map((name) => byName?.get(name))
      .filter((r): r is ActionRecord => r !== undefined && this.state(device, r) === 'done')
      .sort((a, b) => b.startedAt - a.startedAt)[0];
    if (settled) return settled.action === 'enableLostMode' ? 'enabled' : 'disabled';
    return device.json.lostModeState === 'enabled' ? 'enabled' : 'disabled';
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
      switch (r.action) {
        case 'remoteLock': {
          const showPin = state === 'done' && r.unlockPin !== undefined && version === 'beta';
          return { '@odata.type': '#microsoft.graph.remoteLockActionResult', ...base, unlockPin: showPin ? r.unlockPin : null };
        }
        case 'resetPasscode': {
          const showPasscode = settled && r.passcode !== undefined && (version === 'beta' || this.#options.passcodeInV1);
          return {
            '@odata.type': '#microsoft.graph.resetPasscodeActionResult',
            ...base,
            passcode: showPasscode ? r.passcode : null,
            ...(version === 'beta' ? { errorCode: 0 } : {}),
          };
        }
        case 'locateDevice': {
          const showLocation = state === 'done' && r.location !== undefined && (version === 'beta' || this.#options.locationInV1);
          return { '@odata.type': '#microsoft.graph.locateDeviceActionResult', ...base, deviceLocation: showLocation ? r.location : null };
        }
        default:
          // The generic deviceActionResult, as Graph serialises it: no @odata.type, only the action's name.
          return base;
      }
    });
  }

  reset(): void {
    this.#latest.clear();
    this.passcodes.length = 0;
    this.locations.length = 0;
  }
}
