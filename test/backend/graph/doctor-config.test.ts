// `npm run doctor` (nock) and the Graph part of the configuration.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../../src/cli/doctor.js';
import { loadConfig } from '../../../src/config/index.js';
import { CountingTokens, GRAPH, SECRET, setupNock, teardownNock } from './helpers.js';

const ENV = { AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555', AZURE_CLIENT_SECRET: SECRET };
const jwt = (roles: string[]) => `e30.${Buffer.from(JSON.stringify({ roles })).toString('base64url')}.sig`;

function tokensWith(token: string) {
  return () => Object.assign(new CountingTokens(), { getToken: async () => token });
}

describe('doctor', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('all permissions present: exit 0, plain words, no secret or token printed', async () => {
    const token = jwt(['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.PrivilegedOperations.All']);
    nock(GRAPH).get('/v1.0/deviceManagement/managedDevices').query({ $top: '1', $select: 'id,deviceName' }).reply(200, { value: [{ id: 'x', deviceName: 'Lobby iPad' }] });
    const lines: string[] = [];
    const code = await runDoctor({ env: ENV, write: (l) => lines.push(l), tokens: tokensWith(token) });
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(text).toContain('Lobby iPad');
    expect(text).toContain('has everything it needs');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(token);
  });

  it('PrivilegedOperations missing: exit 1, naming it; nothing is written to Graph', async () => {
    nock(GRAPH).get('/v1.0/deviceManagement/managedDevices').query(true).reply(200, { value: [] });
    const lines: string[] = [];
    const code = await runDoctor({ env: ENV, write: (l) => lines.push(l), tokens: tokensWith(jwt(['DeviceManagementManagedDevices.Read.All'])) });
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/NO +actions: the app lacks DeviceManagementManagedDevices\.PrivilegedOperations\.All/);
  });

  it('a policy with aad-group: members needs GroupMember.Read.All, and says so when it is missing', async () => {
    const policy = new URL('../../../data/policy.example.json', import.meta.url).pathname;
    const both = ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.PrivilegedOperations.All'];
    nock(GRAPH).get('/v1.0/deviceManagement/managedDevices').query(true).times(2).reply(200, { value: [] });
    const without: string[] = [];
    expect(await runDoctor({ env: { ...ENV, LOCKDESK_POLICY: policy }, write: (l) => without.push(l), tokens: tokensWith(jwt(both)) })).toBe(1);
    expect(without.join('\n')).toMatch(/NO +groups: the policy names aad-group: members but the app lacks GroupMember\.Read\.All/);
    const withIt: string[] = [];
    // The sign-out permissions too, should the example policy ever give a role signOut: this test is about groups.
    const all = [...both, 'GroupMember.Read.All', 'User.RevokeSessions.All', 'User.Read.All'];
    expect(await runDoctor({ env: { ...ENV, LOCKDESK_POLICY: policy }, write: (l) => withIt.push(l), tokens: tokensWith(jwt(all)) })).toBe(0);
    expect(withIt.join('\n')).toMatch(/OK +groups/);
  });

  describe('a policy that gives a role signOut', () => {
    let dir = '';
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lockdesk-doctor-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const policyFile = async (actions: string[]) => {
      const file = join(dir, 'policy.json');
      await writeFile(file, JSON.stringify({ roles: [{ name: 'security', members: ['email:sec@contoso.com'], actions, devices: 'any' }] }));
      return file;
    };
    const both = ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.PrivilegedOperations.All'];
    const run = async (file: string, roles: string[]) => {
      nock(GRAPH).get('/v1.0/deviceManagement/managedDevices').query(true).reply(200, { value: [] });
      const lines: string[] = [];
      const code = await runDoctor({ env: { ...ENV, LOCKDESK_POLICY: file }, write: (l) => lines.push(l), tokens: tokensWith(jwt(roles)) });
      return { code, text: lines.join('\n') };
    };

    it('without User.RevokeSessions.All: exit 1, a NO line naming it and the role; nothing is tried on a user', async () => {
      const { code, text } = await run(await policyFile(['lock', 'signOut']), [...both, 'User.Read.All']);
      expect(code).toBe(1);
      expect(text).toMatch(/NO +sign-out: the policy gives sign-out to "security" but the app lacks User\.RevokeSessions\.All; every sign-out will be refused/);
      expect(text).toMatch(/OK +sign-out: the app may read when a user's sessions were last ended/);
      // nock fails any request not set up: no revokeSignInSessions and no user read was made.
    });

    it('without User.Read.All: exit 1, saying lockdesk could not see that a sign-out happened', async () => {
      const { code, text } = await run(await policyFile(['signOut']), [...both, 'User.RevokeSessions.All']);
      expect(code).toBe(1);
      expect(text).toMatch(/OK +sign-out: the app has User\.RevokeSessions\.All/);
      expect(text).toMatch(/NO +sign-out: the app lacks User\.Read\.All; a sign-out may be sent, but lockdesk cannot see that it happened/);
    });

    it('with both: exit 0; a policy without signOut asks for neither', async () => {
      const withBoth = await run(await policyFile(['signOut']), [...both, 'User.RevokeSessions.All', 'User.Read.All']);
      expect(withBoth.code).toBe(0);
      expect(withBoth.text).toContain('has everything it needs');
      const without = await run(await policyFile(['lock', 'enableLostMode']), both);
      expect(without.code).toBe(0);
      expect(without.text).not.toContain('sign-out');
    });
  });

  it('read permission missing: the 403 names Read.All', async () => {
    nock(GRAPH).get('/v1.0/deviceManagement/managedDevices').query(true).reply(403, { error: { code: 'Forbidden' } }, { 'request-id': 'r-1' });
    const lines: string[] = [];
    const code = await runDoctor({ env: ENV, write: (l) => lines.push(l), tokens: tokensWith(jwt(['DeviceManagementManagedDevices.PrivilegedOperations.All'])) });
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('DeviceManagementManagedDevices.Read.All');
  });
});

describe('Graph configuration', () => {
  it('BACKEND defaults to graph when the tenant and client ids are set, else simulated', () => {
    expect(loadConfig(ENV).BACKEND).toBe('graph');
    expect(loadConfig({}).BACKEND).toBe('simulated');
    expect(loadConfig({ ...ENV, BACKEND: 'simulated' }).BACKEND).toBe('simulated');
  });

  it('BACKEND=graph without its variables: every problem in one message, no secret value echoed', () => {
    let message = '';
    try {
      loadConfig({ BACKEND: 'graph', PORT: 'nope', GRAPH_BASE_URL: 'not a url', AZURE_CLIENT_SECRET: '' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('PORT');
    expect(message).toContain('GRAPH_BASE_URL');
    expect(message).toContain('AZURE_TENANT_ID');
    expect(message).toContain('AZURE_CLIENT_ID');
    expect(message).toContain('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
    let withSecret = '';
    try {
      loadConfig({ BACKEND: 'graph', AZURE_CLIENT_SECRET: SECRET });
    } catch (e) {
      withSecret = (e as Error).message;
    }
    expect(withSecret).not.toContain(SECRET);
  });
});
