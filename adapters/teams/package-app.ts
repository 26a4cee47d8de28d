// `npm run teams:package [-- --out <file>]`: the Teams app package (manifest.json, color.png and outline.png at
// the zip root) with the bot id taken from MICROSOFT_APP_ID, checked against the manifest schema it declares.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { fromRoot } from '../../src/project-root.js';
import { manifestProblems } from './manifest-schema.js';
import { createZip } from './zip.js';

export const MANIFEST_DIR = `${fromRoot('manifest/teams')}/`;
export const DEFAULT_OUT = 'data/run/lockdesk-teams.zip';
const PLACEHOLDER = '{{MICROSOFT_APP_ID}}';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function buildAppPackage(appId: string, manifestDir: string = MANIFEST_DIR): Buffer {
  const id = appId.trim();
  if (!id) throw new Error('MICROSOFT_APP_ID is not set: the app package needs the bot\'s Entra app (client) id. Set it in .env or the environment.');
  // Teams rejects a package whose bot id is not one (and JSON.stringify keeps the manifest whole whatever it is).
  if (!GUID.test(id)) throw new Error(`MICROSOFT_APP_ID is not an Entra app (client) id: a GUID such as 7e1d3c9a-0000-4000-8000-00000000b07a is needed, not ${JSON.stringify(id.slice(0, 80))}.`);
  const template = readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8');
  if (!template.includes(PLACEHOLDER)) throw new Error(`manifest/teams/manifest.json has no ${PLACEHOLDER} placeholder for the bot id`);
  const manifest = JSON.parse(template.split(PLACEHOLDER).join(id)) as Record<string, unknown>;
  const problems = manifestProblems(manifest, path.join(manifestDir, 'schema'));
  if (problems.length > 0) throw new Error(`the Teams app manifest does not match its schema (${String(manifest.$schema)}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return createZip([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: 'color.png', data: readFileSync(path.join(manifestDir, 'color.png')) },
    { name: 'outline.png', data: readFileSync(path.join(manifestDir, 'outline.png')) },
  ]);
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: true });
  dotenv.config({ quiet: true });
  const out = path.resolve(values.out ?? DEFAULT_OUT);
  const zip = buildAppPackage(process.env.MICROSOFT_APP_ID ?? '');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, zip);
  process.stdout.write(`Teams app package written to ${out} (${zip.length} bytes). Upload it in Teams: Apps → Manage your apps → Upload an app.\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
