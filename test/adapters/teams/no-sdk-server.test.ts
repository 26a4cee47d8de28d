// lockdesk's own HTTP server serves Teams: the SDK app is initialised, never started, so it opens no port and makes
// no express app; the only route is lockdesk's POST /api/messages.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTeamsMount } from '../../../adapters/teams/mount.js';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { capturingLogger } from './harness.js';

const listening = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('the Teams SDK in lockdesk', () => {
  it('opens no port of its own: initialised, its one route is lockdesk\'s POST /api/messages', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lockdesk-teams-port-'));
    const logger = capturingLogger();
    const app = await buildApp(loadConfig({ HOST: '127.0.0.1', PORT: '0', LOCKDESK_DATA_DIR: dir, LOG_LEVEL: 'silent' }), logger);
    try {
      const before = listening();
      const { mount, bot } = createTeamsMount(app, logger);
      await bot.ready;
      expect(listening()).toBe(before);
      expect(mount.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/messages']);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the adapter never starts the SDK app, sends through it, or makes its express server', () => {
    const dir = new URL('../../../adapters/teams/', import.meta.url).pathname;
    const code = (f: string) => readFileSync(path.join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /\bapp\.start\(|\bapp\.send\(|\bapp\.reply\(|ExpressAdapter|HttpPlugin/.test(code(f)));
    expect(offenders).toEqual([]);
  });
});
