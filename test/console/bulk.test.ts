// Bulk in the terminal chat, end to end: the real CLI on a simulated tenant where one person has 40 devices. The
// "all" choice prompts for the count; the next line answers it. Then `npm run audit -- --confirmation <id>` lists
// each device with its outcome.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/index.js';
import { FLEET_OWNER, writeFleetTenant } from '../fixtures/fleet-tenant.js';
import { childEnv, REPO_ROOT, runAudit, runConsole } from './run-console.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function session(lines: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-console-bulk-'));
  dirs.push(dir);
  // The example policy without its guardrails: what is tested here is the typed count, not a limit or a second person.
  const example = JSON.parse(await readFile(join(REPO_ROOT, 'data/policy.example.json'), 'utf8')) as Record<string, unknown>;
  delete example.approval;
  delete example.limits;
  await writeFile(join(dir, 'policy.json'), JSON.stringify(example));
  const env = childEnv(join(dir, 'run'), { LOCKDESK_POLICY: join(dir, 'policy.json'), LOCKDESK_DEMO_TENANT: await writeFleetTenant(dir, 40) });
  const run = await runConsole('helpdesk@contoso.com', lines, env);
  expect(run.code, run.stderr).toBe(0);
  const audit = (await readFile(join(dir, 'run', 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
  return { env, run, audit };
}

/** The number the terminal chat gives the "Lock all 40 devices" choice: 25 device buttons come first. */
const ALL = '26';

describe('bulk in the terminal chat', () => {
  it('a wrong count sends nothing; the right one locks all 40 once; the audit CLI lists each device', async () => {
    const { env, run, audit } = await session([`lock ${FLEET_OWNER}`, ALL, '14', ALL, '40']);
    expect(run.stdout).toMatch(/\[26\] Lock all 40 devices/);
    expect(run.stdout).toMatch(/and 15 more: 15 Android Enterprise/);
    expect(run.stdout).toMatch(/Lock all 40 devices\?\nThis sends a remote lock to 40 devices at once\. To be sure, type the number of devices, 40\.\nNumber of devices/);
    expect(run.stdout).toMatch(/You typed 14, but this request covers 40 devices, so lockdesk sent nothing/);
    expect(run.stdout).toMatch(/^i 40 devices: 0 done, 40 pending, 0 failed, 0 not sent$/m);
    const dispatched = audit.filter((e) => e.event === 'dispatch');
    expect(dispatched).toHaveLength(40);
    expect(new Set(dispatched.map((e) => e.deviceId)).size).toBe(40);

    const confirmationId = dispatched[0]!.confirmationId!;
    const listed = await runAudit(['--confirmation', confirmationId], env);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(41);
    expect(lines.slice(0, 40).every((l) => / (sent|pending|done) /.test(l) && l.includes(confirmationId) === false)).toBe(true);
    expect(lines.at(-1)).toMatch(/^40 devices: /);
    // Another confirmation's events are not listed.
    const none = await runAudit(['--confirmation', 'no-such-confirmation'], env);
    expect(none.stdout.trim()).toBe('0 devices: none');
  });
});
