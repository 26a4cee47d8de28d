// The one field a look-up may read device by device: who enrolled a Windows 8.1 or Windows RT device, whose lock
// is allowed only when its current user enrolled it (the sameUserAsEnroller rows of data/platform-support.json).
// The beta list carries enrolledByUserPrincipalName by the docs, but Graph's lists are known to leave fields at
// their defaults that only a GET by id fills in (udid, notes, … on the beta resource page; enrollmentProfileName in
// microsoft-graph-docs-contrib#1455), and an enroller left out would refuse a lock that is allowed. So a device of
// those platforms that a list gave no enroller for is read by id for it; no other platform costs a request.
import type { Device } from '../../core/types.js';
import type { Logger } from '../../ports.js';
import { batchGet } from './batch-read.js';
import type { GraphHttp } from './http.js';

const ENROLLER_SELECT = ['id', 'enrolledByUserPrincipalName'] as const;

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const major = (version: string) => (/^\d+/.test(version.trim()) ? Number(/^\d+/.exec(version.trim())![0]) : undefined);

/** Windows RT, and Windows before 10 (8.1 reports 6.3): the platforms whose lock depends on the enroller. */
export function needsEnroller(device: Device): boolean {
  if (same(device.deviceType, 'windowsRT')) return true;
  const v = major(device.osVersion);
  return same(device.operatingSystem, 'Windows') && v !== undefined && v < 10;
}

/** Fills in the enroller where a list left it out and the platform needs it: one $batch item per such device. */
export async function withEnrollers(http: GraphHttp, logger: Logger, devices: Device[]): Promise<Device[]> {
  const missing = devices.filter((d) => d.enrolledByUserPrincipalName === '' && needsEnroller(d));
  if (missing.length === 0) return devices;
  const enroller = new Map<string, string>();
  try {
    for (const raw of await batchGet(http, 'beta', missing.map((d) => d.id), ENROLLER_SELECT, 'enroller (beta)')) {
      const upn = raw['enrolledByUserPrincipalName'];
      if (typeof raw['id'] === 'string' && typeof upn === 'string' && upn !== '') enroller.set(raw['id'], upn);
    }
  } catch (err) {
    // Without it the core refuses the lock ("cannot confirm"), which is the safe answer.
    logger.warn({ err, devices: missing.length }, 'the enroller of a Windows 8.1/RT device could not be read');
  }
  return devices.map((d) => (enroller.has(d.id) ? { ...d, enrolledByUserPrincipalName: enroller.get(d.id)! } : d));
}
