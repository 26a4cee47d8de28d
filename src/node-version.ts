// Which Node.js lockdesk runs on. It needs 22.12 or newer (the Teams SDK's floor; Node 20 reached end of life on
// 2026-04-30); 24, the active LTS, is recommended. No imports: the check runs before anything else is loaded.

export const NODE_MINIMUM = '22.12.0';
export const NODE_RECOMMENDED = 24;

/** Why this Node.js cannot run lockdesk, in one line; undefined when it can. */
export function nodeProblem(version: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10));
  const [needMajor, needMinor] = NODE_MINIMUM.split('.').map(Number) as [number, number];
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `lockdesk needs Node.js ${NODE_MINIMUM} or newer (${NODE_RECOMMENDED} recommended); this is Node.js ${version.replace(/^v/, '')}. Run it with "npm start", which uses the Node.js ${NODE_RECOMMENDED} the project installs, or install Node.js ${NODE_RECOMMENDED}.`;
}
