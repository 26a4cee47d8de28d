// The terminal chat end to end: the real CLI as a child process on the simulated tenant, a fresh data directory per
// session, lines piped in as a person would type them. What it says is read from stdout; what it did is read from
// the audit trail and from the tenant's run file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../src/cli/audit-format.js';
import type { AuditEvent } from '../../src/core/index.js';
import { childEnv, readTree, REPO_ROOT, runAudit, runConsole, type ProcessResult } from './run-console.js';

interface SeedDevice {
  id: string;
  name: string;
  userPrincipalName: string;
}
interface TenantAction {
  deviceId: string;
  action: string;
}

const seed = JSON.parse(await readFile(join(REPO_ROOT, 'data/demo-tenant.json'), 'utf8')) as { devices: SeedDevice[]; actions: TenantAction[] };
const deviceId = (name: string): string => {
  const device = seed.devices.find((d) => d.name === name);
  if (!device) throw new Error(`the demo tenant has no device "${name}"`);
  return device.id;
};
const ALICE = 'alice@contoso.com';
const IPHONE = deviceId("Alice's iPhone");
const PIXEL = deviceId("Alice's Pixel 8");
const MACBOOK = deviceId("Alice's MacBook Pro");
const BOB_GALAXY = deviceId("Bob's Galaxy S23");
const ZOE_IPAD = deviceId("Zoë's iPad");
const POLICY_EXAMPLE = join(REPO_ROOT, 'data/policy.example.json');

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lockdesk-console-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function session(as: string, lines: string[], extraEnv: Record<string, string> = {}) {
  const dir = await freshDir();
  const env = childEnv(dir, extraEnv);
  const run = await runConsole(as, lines, env);
  expect(run.stderr, 'the console wrote to stderr').toBe('');
  expect(run.code, run.stderr).toBe(0);
  return { dir, env, run, audit: await readAudit(dir), actions: await tenantActions(dir) };
}

async function readAudit(dir: string): Promise<AuditEvent[]> {
  const text = await readFile(join(dir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
}

async function tenantActions(dir: string): Promise<TenantAction[]> {
  return (JSON.parse(await readFile(join(dir, 'tenant.json'), 'utf8')) as { actions: TenantAction[] }).actions;
}

/** The one reply that starts with `heading` (a reply is written in one piece, so it is contiguous). */
function replyFrom(stdout: string, heading: string, endMarker = 'Nothing is sent until you click'): string {
  const start = stdout.indexOf(heading);
  expect(start, `no reply starting "${heading}" in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const end = stdout.indexOf(endMarker, start);
  return stdout.slice(start, end < 0 ? undefined : end);
}

/** Device cards in a rendered reply: the name (indented two spaces) and whether lock is offered. */
function cards(reply: string): Array<{ name: string; lock: boolean }> {
  const found: Array<{ name: string; lock: boolean }> = [];
  for (const line of reply.split('\n')) {
    const name = /^ {2}(\S.*)$/.exec(line);
    if (name) found.push({ name: name[1]!, lock: false });
    const lock = /^ {4}lock: (yes|no) /.exec(line);
    if (lock && found.length > 0) found[found.length - 1]!.lock = lock[1] === 'yes';
  }
  return found;
}

const touches = (e: AuditEvent, id: string) => e.deviceId === id || (e.deviceIds ?? []).includes(id);
const ACTING_EVENTS = ['confirmation', 'confirmed', 'dispatch', 'result'];

describe('the owner, on the default policy', () => {
  let s: Awaited<ReturnType<typeof session>>;
  beforeAll(async () => {
    s = await session(ALICE, [
      'help',
      "lock Alice's iPhone",
      '1',
      '1', // the same choice again, after it was used
      'lost',
      '2', // "I lost this one" on the second device listed (Alice's iPhone): its playbook
      '1', // its first step, Lock: a confirmation
      '2', // Cancel
      "lock Bob's Galaxy S23",
      'lock Alice',
    ]);
  }, 30_000);

  it('answers help with every command', () => {
    expect(s.run.stdout).toContain('lockdesk: lost devices and forgotten passcodes');
    for (const usage of ['lock <device name', 'reset passcode <device name', 'lost: ', 'devices <query>', 'help [command]']) expect(s.run.stdout).toContain(usage);
  });

  it('locks a device named exactly, once clicked, and follows it to done', () => {
    const confirm = replyFrom(s.run.stdout, 'Confirm the remote lock of this device.');
    expect(cards(confirm)).toEqual([{ name: "Alice's iPhone", lock: true }]);
    expect(confirm).toContain(`[1] Lock "Alice's iPhone"`);
    const sent = s.run.stdout.indexOf(`Remote lock of "Alice's iPhone": sent`);
    const done = s.run.stdout.indexOf(`✓ Remote lock of "Alice's iPhone": done`);
    expect(sent).toBeGreaterThan(0);
    expect(done).toBeGreaterThan(sent);
  });

  it('audits request, confirmation, confirmation click, dispatch and result with the actor', () => {
    const offered = s.audit.find((e) => e.event === 'confirmation' && e.deviceId === IPHONE);
    expect(offered).toBeDefined();
    const all = s.audit.filter((e) => e.correlationId === offered!.correlationId);
    // The follow-up's end closes the trail.
    expect(all.at(-1)).toMatchObject({ event: 'follow-up', outcome: 'settled', deviceIds: [IPHONE], actor: null });
    const trail = all.slice(0, -1);
    expect(trail.slice(0, 5).map((e) => e.event)).toEqual(['request', 'confirmation', 'confirmed', 'dispatch', 'result']);
    expect(trail.slice(5).every((e) => e.event === 'result')).toBe(true);
    expect(trail[0]!.deviceIds).toEqual([IPHONE]);
    for (const e of trail.slice(1)) expect(e.deviceId).toBe(IPHONE);
    for (const e of trail.slice(0, 5)) expect(e.actor?.email).toBe(ALICE);
    expect(trail.map((e) => e.outcome)).toContain('sent');
    expect(trail.at(-1)!.outcome).toBe('done');
  });

  it('dispatches once when the used choice is typed again (the console drops choices once used)', () => {
    const afterClick = s.run.stdout.indexOf('Remote lock confirmed by alice@contoso.com');
    expect(s.run.stdout.indexOf('There is nothing to click right now.', afterClick)).toBeGreaterThan(afterClick);
    expect(s.audit.filter((e) => e.event === 'dispatch' && e.deviceId === IPHONE)).toHaveLength(1);
    expect(s.actions.filter((a) => a.deviceId === IPHONE)).toHaveLength(1);
  });

  it('"lost" asks which of the caller\'s own devices, then offers what fits it, best first', () => {
    const lost = replyFrom(s.run.stdout, 'Sorry you lost a device. Which device is it?', 'What to do about');
    const own = seed.devices.filter((d) => d.userPrincipalName === ALICE).map((d) => d.name);
    expect(own.length).toBeGreaterThan(1);
    expect(cards(lost).map((c) => c.name).sort()).toEqual([...own].sort());
    expect(lost.match(/\[\d\] I lost this one/g)).toHaveLength(own.length);
    const playbook = replyFrom(s.run.stdout, `What to do about "Alice's iPhone"`, 'Each step asks you to confirm');
    expect(playbook).toContain('[1] Lock');
  });

  it('cancels: audited as cancel, nothing dispatched', () => {
    expect(s.run.stdout).toContain('Cancelled by alice@contoso.com. Nothing was sent.');
    const lostRequest = s.audit.find((e) => e.event === 'request' && e.query === 'your devices');
    expect(s.audit.filter((e) => e.correlationId === lostRequest?.correlationId).map((e) => e.event)).toEqual(['request']);
    const cancel = s.audit.find((e) => e.event === 'cancel');
    const trail = s.audit.filter((e) => e.correlationId === cancel?.correlationId);
    expect(trail.map((e) => e.event)).toEqual(['request', 'confirmation', 'cancel']);
    expect(trail[2]!.actor?.email).toBe(ALICE);
  });

  it("refuses someone else's device as if it did not exist, audits the true reason and dispatches nothing", () => {
    expect(s.run.stdout).toMatch(/^i No device matches "Bob's Galaxy S23"\. Nothing was done\./m);
    const refusal = s.audit.find((e) => e.event === 'refusal' && touches(e, BOB_GALAXY));
    expect(refusal).toMatchObject({ outcome: 'refused', action: 'lock', actor: { email: ALICE } });
    expect(refusal!.reason).toMatch(/not the caller's/);
    expect(s.audit.filter((e) => ACTING_EVENTS.includes(e.event) && touches(e, BOB_GALAXY))).toEqual([]);
    expect(s.actions.filter((a) => a.deviceId === BOB_GALAXY)).toEqual([]);
  });

  it('offers a choice, and no "all", when a name prefix matches several devices', () => {
    const choose = replyFrom(s.run.stdout, 'Choose the device for the remote lock.');
    const matching = seed.devices.filter((d) => d.name.toLowerCase().startsWith('alice')).map((d) => d.name);
    expect(matching.length).toBeGreaterThan(1);
    expect(cards(choose).map((c) => c.name).sort()).toEqual([...matching].sort());
    expect(s.run.stdout.slice(s.run.stdout.indexOf('Choose the device for the remote lock.'))).not.toMatch(/Lock all/);
  });

  it('prints the audit trail as CSV: the header, then one row per event', async () => {
    const csv = await runAudit(['--format', 'csv'], s.env);
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...rows] = csv.stdout.trimEnd().split('\n');
    expect(header).toBe(CSV_COLUMNS.join(','));
    expect(rows).toHaveLength(s.audit.length);
    rows.forEach((row, i) => expect(row.startsWith(`${s.audit[i]!.at},${s.audit[i]!.event},`)).toBe(true));
  });

  it('prints nothing for --since in the future', async () => {
    const future = await runAudit(['--format', 'jsonl', '--since', '2999-01-01T00:00:00Z'], s.env);
    expect(future.code, future.stderr).toBe(0);
    expect(future.stdout).toBe('');
    const all = await runAudit(['--format', 'jsonl'], s.env);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(s.audit.length);
  });
});

describe('a passcode reset on an Android device', () => {
  let s: Awaited<ReturnType<typeof session>>;
  let passcode: string;
  beforeAll(async () => {
    s = await session(ALICE, ["reset passcode Alice's Pixel 8", '1']);
    const secret = /^🔒 \(only you see this\) .*\n\s+(\S+)\s*$/mu.exec(s.run.stdout);
    passcode = secret?.[1] ?? '';
  }, 30_000);

  /** Whole-token matches, so a digit run inside an id or a timestamp is not taken for the passcode. */
  const occurrences = (text: string) => text.match(new RegExp(`(?<![\\w])${passcode}(?![\\w])`, 'g'))?.length ?? 0;

  it('shows the temporary passcode once, in the private line', () => {
    expect(passcode, s.run.stdout).toMatch(/^\S{4,}$/);
    expect(s.run.stdout.match(/only you see this/g)).toHaveLength(1);
    expect(occurrences(s.run.stdout)).toBe(1);
    expect(s.run.stdout).toContain(`✓ Passcode reset of "Alice's Pixel 8": done`);
    expect(s.audit.some((e) => e.event === 'result' && e.deviceId === PIXEL && e.outcome === 'done')).toBe(true);
  });

  it('writes the passcode nowhere: not in any file of the data directory, not in stderr', async () => {
    const files = await readTree(s.dir);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['audit.jsonl', 'state.json', 'tenant.json']));
    for (const [name, text] of files) expect(occurrences(text), name).toBe(0);
    expect(occurrences(s.run.stderr)).toBe(0);
  });
});

describe("a remote lock of a Mac", () => {
  let s: Awaited<ReturnType<typeof session>>;
  let pin: string;
  beforeAll(async () => {
    s = await session(ALICE, ["lock Alice's MacBook Pro", '1']);
    const secret = /^🔒 \(only you see this\) (.*)\n\s+(\S+)\s*$/mu.exec(s.run.stdout);
    pin = secret?.[2] ?? '';
  }, 30_000);

  /** Whole-token matches, so a digit run inside an id or a timestamp is not taken for the PIN. */
  const occurrences = (text: string) => text.match(new RegExp(`(?<![\\w])${pin}(?![\\w])`, 'g'))?.length ?? 0;

  it('says on the confirmation that the PIN comes privately in chat, and not to lock the Mac again until it is used', () => {
    const confirm = replyFrom(s.run.stdout, 'Confirm the remote lock of this device.');
    expect(confirm).toContain('six-digit unlock PIN, which lockdesk sends privately in chat');
    expect(confirm).toContain('Do not lock this Mac again until that PIN has been used');
  });

  it("shows the Mac's unlock PIN once, in the private line, after the lock is done", () => {
    expect(pin, s.run.stdout).toMatch(/^\d{6}$/);
    expect(s.run.stdout.match(/only you see this/g)).toHaveLength(1);
    expect(occurrences(s.run.stdout)).toBe(1);
    expect(s.run.stdout).toContain(`🔒 (only you see this) Unlock PIN for the Mac "Alice's MacBook Pro".`);
    expect(s.run.stdout).toContain('Do not lock this Mac again until this PIN has been used');
    expect(s.run.stdout.indexOf(`✓ Remote lock of "Alice's MacBook Pro": done`)).toBeGreaterThanOrEqual(0);
    const result = s.audit.find((e) => e.event === 'result' && e.deviceId === MACBOOK && e.outcome === 'done');
    expect(result?.reason).toBe("the Mac's unlock PIN was shown privately to alice@contoso.com, who asked");
  });

  it('writes the PIN nowhere: not in audit.jsonl, state.json or any other file of the data directory, not in stderr', async () => {
    const files = await readTree(s.dir);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['audit.jsonl', 'state.json', 'tenant.json']));
    for (const [name, text] of files) expect(occurrences(text), name).toBe(0);
    expect(occurrences(s.run.stderr)).toBe(0);
  });
});

describe('locating a lost Android phone', () => {
  const KAI = 'kai@contoso.com';
  let s: Awaited<ReturnType<typeof session>>;
  let coordinates: string;
  beforeAll(async () => {
    s = await session(KAI, ["locate Kai's Pixel 9", '1', "locate Kai's Galaxy Tab S9", '1']);
    coordinates = /^🔒 \(only you see this\) .*\n\s+(-?\d+\.\d+, -?\d+\.\d+)/mu.exec(s.run.stdout)?.[1] ?? '';
  }, 30_000);

  it('shows the location once, privately, with a map link; a device that may not be located says so', () => {
    expect(coordinates, s.run.stdout).toMatch(/^-?\d+\.\d{5}, -?\d+\.\d{5}$/);
    expect(s.run.stdout.match(/only you see this/g)).toHaveLength(1);
    expect(s.run.stdout.split(coordinates).length - 1).toBe(1);
    expect(s.run.stdout).toMatch(/Map: https:\/\/www\.openstreetmap\.org\/\?mlat=/);
    expect(s.run.stdout).toMatch(/Location request of "Kai's Galaxy Tab S9": the device reported that it does not support this action/);
    const result = s.audit.find((e) => e.event === 'result' && e.deviceId === deviceId("Kai's Pixel 9") && e.outcome === 'done');
    expect(result?.reason).toBe('location shown to kai@contoso.com, privately');
  });

  it('writes the location nowhere: no file of the data directory, not stderr', async () => {
    const files = await readTree(s.dir);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['audit.jsonl', 'state.json', 'tenant.json']));
    const [lat] = coordinates.split(',');
    for (const [name, text] of files) {
      expect(text.includes(lat!), name).toBe(false);
      expect(text.includes('openstreetmap'), name).toBe(false);
    }
    expect(s.run.stderr.includes(lat!)).toBe(false);
  });
});

describe('a helpdesk member (policy.example.json) asking for a user', () => {
  let s: Awaited<ReturnType<typeof session>>;
  beforeAll(async () => {
    s = await session('helpdesk@contoso.com', [`lock ${ALICE}`, '4'], { LOCKDESK_POLICY: POLICY_EXAMPLE });
  }, 30_000);

  it('offers "all" for the supported devices and locks exactly those', () => {
    const choose = replyFrom(s.run.stdout, 'Choose the device for the remote lock.', 'Remote lock confirmed by');
    const shown = cards(choose);
    const supported = shown.filter((c) => c.lock).map((c) => deviceId(c.name));
    expect(shown.some((c) => !c.lock), 'the user has a device that cannot be locked').toBe(true);
    expect(choose).toContain(`[4] Lock all ${supported.length} devices`);
    const dispatched = s.audit.filter((e) => e.event === 'dispatch').map((e) => e.deviceId);
    expect([...dispatched].sort()).toEqual([...supported].sort());
    expect(s.actions.map((a) => a.deviceId).sort()).toEqual([...supported].sort());
    for (const e of s.audit.filter((e) => e.event === 'dispatch')) expect(e.actor?.email).toBe('helpdesk@contoso.com');
  });
});

describe('a device name with a quote in it', () => {
  it('finds "Zoë\'s iPad" typed plain and in quotes', async () => {
    const s = await session('zoe@contoso.com', ["lock Zoë's iPad", '2', `lock "Zoë's iPad"`, '1']);
    const offered = s.audit.filter((e) => e.event === 'confirmation');
    expect(offered.map((e) => e.deviceId)).toEqual([ZOE_IPAD, ZOE_IPAD]);
    expect(s.audit.filter((e) => e.event === 'dispatch').map((e) => e.deviceId)).toEqual([ZOE_IPAD]);
    expect(s.run.stdout).toContain(`✓ Remote lock of "Zoë's iPad": done`);
  }, 30_000);
});

describe('bad input', () => {
  let s: Awaited<ReturnType<typeof session>>;
  const long = `lock ${'x'.repeat(10_240)}`;
  beforeAll(async () => {
    s = await session(ALICE, ['1', 'frobnicate', 'lock', long, 'lock \u0007bell', 'lock ""']);
  }, 30_000);

  it('answers each line clearly, in order', () => {
    const out = s.run.stdout;
    const answers = [
      /There is nothing to click right now\./,
      /"frobnicate" is not a lockdesk command\.\nTry "help"/,
      /Cannot read that lock command: the query is empty\.\nUsage: lock/,
      /That message is 10245 characters long; lockdesk reads at most 1000\./,
      /Cannot read that lock command: the query contains control characters\./,
      /Cannot read that lock command: the query is empty\./, // quotes only: empty once unquoted
    ];
    let from = 0;
    for (const answer of answers) {
      const at = out.slice(from).search(answer);
      expect(at, `${answer} after offset ${from} in:\n${out}`).toBeGreaterThanOrEqual(0);
      from += at + 1;
    }
    expect(out).not.toContain('x'.repeat(100));
    expect(out).not.toContain('\u0007');
  });

  it('changes nothing: no confirmation or dispatch, the tenant untouched', () => {
    expect(s.audit.filter((e) => ACTING_EVENTS.includes(e.event))).toEqual([]);
    expect(s.actions).toEqual(seed.actions);
  });
});

describe('numbered choices', () => {
  it('belong to the latest message: after a reply without buttons a number clicks nothing', async () => {
    const { run, audit, actions } = await session(ALICE, ['lock Alice', 'lock bob@contoso.com', '1']);
    expect(run.stdout).toMatch(/lockdesk found no device of bob@contoso\.com\. Nothing was done/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('There is nothing to click right now.');
    expect(audit.filter((e) => e.event === 'dispatch')).toEqual([]);
    expect(actions).toEqual(seed.actions);
  });
});
