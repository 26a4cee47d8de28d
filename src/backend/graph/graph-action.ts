// Graph's names for each action lockdesk sends: its path segment, the API version it exists in, and how its result
// in deviceActionResults is recognised.
import type { DeviceAction } from '../../core/types.js';
import type { GraphVersion } from './odata.js';

/** Graph's names for each action: the result's @odata.type and its actionName (case unknown: compared lowered). */
export const GRAPH_ACTION: Record<DeviceAction, { path: string; odataType: string; names: readonly string[] }> = {
  lock: { path: 'remoteLock', odataType: '#microsoft.graph.remotelockactionresult', names: ['remotelock', 'lock'] },
  resetPasscode: { path: 'resetPasscode', odataType: '#microsoft.graph.resetpasscodeactionresult', names: ['resetpasscode', 'removepasscode'] },
  enableLostMode: { path: 'enableLostMode', odataType: '#microsoft.graph.deviceactionresult', names: ['enablelostmode'] },
  disableLostMode: { path: 'disableLostMode', odataType: '#microsoft.graph.deviceactionresult', names: ['disablelostmode'] },
  locateDevice: { path: 'locateDevice', odataType: '#microsoft.graph.locatedeviceactionresult', names: ['locatedevice'] },
  playLostModeSound: { path: 'playLostModeSound', odataType: '#microsoft.graph.deviceactionresult', names: ['playlostmodesound'] },
  // Not a device action: revokeSignInSessions on the user (action-requests.ts); never in deviceActionResults
  // (its state is read from the user: sign-in-sessions.ts).
  signOut: { path: 'revokeSignInSessions', odataType: '', names: [] },
};

/** Documented in beta only (memdocs and the Graph reference); v1.0 has no such segment. */
const BETA_ONLY: ReadonlySet<DeviceAction> = new Set(['enableLostMode', 'playLostModeSound']);

export const actionVersion = (action: DeviceAction): GraphVersion => (BETA_ONLY.has(action) ? 'beta' : 'v1.0');
