// The Teams app package: a real zip with the manifest (bot id filled in) and both icons at its root.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildAppPackage, MANIFEST_DIR } from '../../../adapters/teams/package-app.js';

/** Reads a zip through its central directory, as Teams does. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const packedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const packed = zip.subarray(dataStart, dataStart + packedSize);
    files.set(name, method === 8 ? inflateRawSync(packed) : Buffer.from(packed));
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];
const APP_ID = '7e1d3c9a-0000-4000-8000-00000000b07a';

describe('Teams app package', () => {
  it('holds manifest.json with the bot id, color.png 192×192 and outline.png 32×32 at the root', () => {
    const files = unzip(buildAppPackage(APP_ID));
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.$schema).toContain('/v1.22/');
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.composeExtensions[0].botId).toBe(APP_ID);
    expect(manifest.composeExtensions[0].commands[0]).toMatchObject({ id: 'findDevice', type: 'query', title: 'Find device' });
    expect(manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(['lost', 'lock', 'reset passcode', 'devices', 'help']);
    expect(JSON.stringify(manifest)).not.toContain('{{');
    expect(pngSize(files.get('color.png')!)).toEqual([192, 192]);
    expect(pngSize(files.get('outline.png')!)).toEqual([32, 32]);
    expect(files.get('color.png')!.equals(readFileSync('manifest/teams/color.png'))).toBe(true);
  });

  it('refuses an app id that is not a GUID (Teams would reject the package)', () => {
    for (const id of ['lockdesk-bot', '28:7e1d3c9a-0000-4000-8000-00000000b07a', `${APP_ID}x`, '"}, "x": {"']) {
      expect(() => buildAppPackage(id), id).toThrow(/MICROSOFT_APP_ID is not an Entra app \(client\) id: a GUID/);
    }
  });

  it('checks the manifest against the Teams schema it declares, from the copy in the repository', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lockdesk-manifest-'));
    const edited = (edit: (m: any) => void) => {
      cpSync(MANIFEST_DIR, dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8'));
      edit(manifest);
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      return () => buildAppPackage(APP_ID, dir);
    };
    try {
      expect(edited(() => undefined)).not.toThrow();
      expect(edited((m) => (m.description.short = 'x'.repeat(81)))).toThrow(/does not match its schema[\s\S]*\/description\/short must NOT have more than 80 characters/);
      expect(edited((m) => (m.bots[0].scopes = ['everywhere']))).toThrow(/\/bots\/0\/scopes\/0 must be equal to one of the allowed values/);
      expect(edited((m) => (m.manifestVersion = '1.21'))).toThrow(/\/manifestVersion must be equal to constant/);
      expect(edited((m) => (m.unexpected = true))).toThrow(/must NOT have additional properties/);
      // A schema lockdesk keeps no copy of cannot be checked: refused, not skipped.
      expect(edited((m) => (m.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.99/MicrosoftTeams.schema.json'))).toThrow(/schema v1\.99, and .* has no copy of it/);
      expect(edited((m) => (m.$schema = 'https://example.com/schema.json'))).toThrow(/is not a Microsoft Teams manifest schema/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run teams:package writes the zip, and refuses without MICROSOFT_APP_ID', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lockdesk-pkg-'));
    const out = path.join(dir, 'app.zip');
    const run = (env: Record<string, string>) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'adapters/teams/package-app.ts', '--out', out], { env: { PATH: process.env.PATH!, ...env }, cwd: process.cwd(), stdio: 'pipe' });
    try {
      run({ MICROSOFT_APP_ID: APP_ID });
      expect(JSON.parse(unzip(readFileSync(out)).get('manifest.json')!.toString()).bots[0].botId).toBe(APP_ID);
      expect(() => run({ MICROSOFT_APP_ID: '' })).toThrow(/MICROSOFT_APP_ID is not set/);
      expect(() => run({ MICROSOFT_APP_ID: 'lockdesk-bot' })).toThrow(/is not an Entra app \(client\) id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
