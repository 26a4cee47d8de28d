// Where a simulated device says it is: near Seattle, each device at its own spot (from its id), each locate a few
// metres off the last (from when it started). Made only as a Secret (see core/location.ts): never written anywhere.
import { createHash } from 'node:crypto';
import { locationSecret } from '../../core/location.js';
import type { Secret } from '../../core/types.js';

const CENTRE = { latitude: 47.6062, longitude: -122.3321 };

/** Numbers in [0, 1) drawn from `text`, the same every time. */
function fractions(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return [0, 4, 8].map((at) => digest.readUInt32BE(at) / 2 ** 32);
}

/** The location a locate that started at `startedAt` finds, collected when it settled (`collectedAt`). */
export function simulatedLocation(deviceId: string, startedAt: string, collectedAt: string): Secret | undefined {
  const [latSpot = 0, lonSpot = 0] = fractions(deviceId);
  const [latJitter = 0, lonJitter = 0, accuracy = 0] = fractions(`${deviceId}@${startedAt}`);
  return locationSecret({
    // Within about 2 km of the centre, then within about 20 m of the device's spot.
    latitude: CENTRE.latitude + (latSpot - 0.5) * 0.036 + (latJitter - 0.5) * 0.0004,
    longitude: CENTRE.longitude + (lonSpot - 0.5) * 0.052 + (lonJitter - 0.5) * 0.0006,
    horizontalAccuracy: 10 + Math.round(accuracy * 40),
    lastCollectedDateTime: collectedAt,
  });
}
