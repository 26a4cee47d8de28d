// A device's location, as a person reads it: coordinates, accuracy, when, and a map link built from them. It is
// personal data, so it exists only as a Secret: shown privately to the person who asked, never kept or logged.
import { Secret } from './types.js';

/** What Graph's locateDeviceActionResult.deviceLocation holds (the fields lockdesk shows). */
export interface DeviceLocation {
  latitude: number;
  longitude: number;
  /** Metres. */
  horizontalAccuracy?: number;
  /** When the device collected it. */
  lastCollectedDateTime?: string;
}

const valid = (l: DeviceLocation) => Number.isFinite(l.latitude) && Number.isFinite(l.longitude) && Math.abs(l.latitude) <= 90 && Math.abs(l.longitude) <= 180;

/** The location as one private text, or undefined when the coordinates are not a place (a backend's zeros or junk). */
export function locationSecret(location: DeviceLocation): Secret | undefined {
  if (!valid(location) || (location.latitude === 0 && location.longitude === 0)) return undefined;
  const lat = location.latitude.toFixed(5);
  const lon = location.longitude.toFixed(5);
  const accuracy = location.horizontalAccuracy !== undefined && Number.isFinite(location.horizontalAccuracy) && location.horizontalAccuracy > 0 ? ` within about ${Math.round(location.horizontalAccuracy)} m` : '';
  const when = location.lastCollectedDateTime && !Number.isNaN(Date.parse(location.lastCollectedDateTime)) ? `, as of ${new Date(location.lastCollectedDateTime).toISOString()}` : '';
  const map = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  return new Secret(`${lat}, ${lon}${accuracy}${when}. Map: ${map}`);
}
