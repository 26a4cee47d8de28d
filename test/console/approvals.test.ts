// Approval cards in the terminal chat: the real console chat, signed in as an approver, registered with the app's
// real ApprovalNotifiers, shows the card of a request made elsewhere (here through the handler, as Slack would) and
// sends it with a typed number; signed in as the requester it shows nothing. `approvals` lists what waits.
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import { ApprovalNotifiers } from '../../src/approval-notifiers.js';
import { policySchema, type Actor } from '../../src/core/index.js';
import { actor, makeHarness, RecordingLogger } from '../core/harness.js';
import { all, patPixel } from '../core/fixtures.js';

const help = actor('help@contoso.com', { platform: 'slack', id: 'U0HELP' });
const policy = policySchema.parse({
  roles: [
    { name: 'helpdesk', members: ['email:help@contoso.com'], actions: ['resetPasscode'], devices: 'any' },
    { name: 'everyone', members: ['*'], actions: ['resetPasscode'], devices: 'own' },
  ],
  approval: { approvers: ['email:lead@contoso.com', 'email:help@contoso.com'], rules: [{ actions: ['resetPasscode'], devices: 'others' }] },
});

/** A terminal chat signed in as `who`, fed line by line; `out()` is everything it printed so far. */
function terminal(h: ReturnType<typeof makeHarness>, notifiers: ApprovalNotifiers, who: string) {
  let printed = '';
  const input = new PassThrough();
  const output = new Writable({
    write(chunk, _encoding, done) {
      printed += String(chunk);
      done();
    },
  });
  const person: Actor = { platform: 'console', id: who, email: who };
  const done = runConsoleChat({ handler: h.handler, actor: person, input, output, approvals: notifiers });
  return {
    out: () => printed,
    async type(line: string, until: RegExp) {
      input.write(`${line}\n`);
      for (let i = 0; i < 500 && !until.test(printed); i++) await new Promise((r) => setTimeout(r, 10));
      expect(printed).toMatch(until);
    },
    async close() {
      input.end();
      await done;
    },
  };
}

async function heldBy(h: ReturnType<typeof makeHarness>) {
  const offer = await h.say(help, "reset passcode Pat's Pixel");
  return h.click(help, offer.lastReply, 'Reset work-profile passcode');
}

describe('approval cards in the terminal chat', () => {
  it("an approver at the terminal sees the card of a request made in Slack and approves it with its number", async () => {
    const notifiers = new ApprovalNotifiers(new RecordingLogger());
    const h = makeHarness(all(), { policy, approvals: notifiers });
    const lead = terminal(h, notifiers, 'lead@contoso.com');
    const requester = await heldBy(h);
    expect(requester.lastUpdate.text).toMatch(/^Waiting for approval by lead@contoso.com, help@contoso.com/);
    expect(requester.lastUpdate.text).not.toMatch(/could not post the request to any approver/);
    expect(lead.out()).toMatch(/Approval needed: help@contoso.com asks for a passcode reset of "Pat's Pixel"/);
    expect(h.backend.dispatched).toEqual([]);
    await lead.type('1', /Approved by lead@contoso.com/);
    expect(h.backend.dispatched).toEqual([{ action: 'resetPasscode', deviceIds: [patPixel.id] }]);
    expect(requester.lastUpdate.text).toMatch(/Passcode reset of "Pat's Pixel": sent/);
    await lead.close();
  });

  it('the requester at a terminal gets no card of their own request; "approvals" there lists none of theirs', async () => {
    const notifiers = new ApprovalNotifiers(new RecordingLogger());
    const h = makeHarness(all(), { policy, approvals: notifiers });
    const self = terminal(h, notifiers, 'help@contoso.com');
    const requester = await heldBy(h);
    expect(self.out()).not.toMatch(/Approval needed/);
    expect(requester.lastUpdate.text).toMatch(/could not post the request to any approver/);
    await self.type('approvals', /No request is waiting for your approval\./);
    await self.close();
  });

  it('"approvals" at a terminal lists a request whose card it never showed, and it can be denied from there with a reason', async () => {
    const h = makeHarness(all(), { policy });
    const requester = await heldBy(h);
    const notifiers = new ApprovalNotifiers(new RecordingLogger());
    const lead = terminal(h, notifiers, 'lead@contoso.com');
    await lead.type('approvals', /1 request waiting for approval\nhelp@contoso.com asks for a passcode reset of "Pat's Pixel" \(approval rule 1 .*\), asked just now, expires in 30 minutes\.\n\[1\] Approve {2}\[2\] Deny/);
    await lead.type('2', /Why it is denied/);
    await lead.type('Pat found it', /Denied by lead@contoso.com/);
    expect(requester.lastUpdate.text).toMatch(/^Denied by lead@contoso.com.*Pat found it/);
    expect(h.backend.dispatched).toEqual([]);
    await lead.close();
  });
});
