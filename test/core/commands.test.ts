import { describe, expect, it } from 'vitest';
import { decodeButton, encodeButton } from '../../src/core/buttons.js';
import { parseCommand, toQuery } from '../../src/core/commands.js';

describe('parseCommand', () => {
  it.each([
    ['lock Pat\'s iPhone', { kind: 'action', action: 'lock', query: { kind: 'text', text: "Pat's iPhone" } }],
    ['LOCK  "Pat\'s iPhone" ', { kind: 'action', action: 'lock', query: { kind: 'text', text: "Pat's iPhone" } }],
    ['/lock me', { kind: 'action', action: 'lock', query: { kind: 'me' } }],
    ['reset passcode pat@contoso.com', { kind: 'action', action: 'resetPasscode', query: { kind: 'user', user: 'pat@contoso.com' } }],
    ['reset-passcode F2LXK1N72Q', { kind: 'action', action: 'resetPasscode', query: { kind: 'text', text: 'F2LXK1N72Q' } }],
    ['lock user:40e5033a-6a45-4dfc-9591-46507a0387db', { kind: 'action', action: 'lock', query: { kind: 'user', user: '40e5033a-6a45-4dfc-9591-46507a0387db' } }],
    ['lost', { kind: 'lost' }],
    ['devices kiosk', { kind: 'devices', query: { kind: 'text', text: 'kiosk' } }],
    ['help', { kind: 'help' }],
    ['help lock', { kind: 'help', topic: 'lock' }],
    ['lock help', { kind: 'help', topic: 'lock' }],
    ['help reset passcode', { kind: 'help', topic: 'reset-passcode' }],
  ])('reads %j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['unlock me', /"unlock" is not a lockdesk command/],
    ['lockme', /"lockme" is not a lockdesk command/],
    ['', /empty/],
    ['lock', /query is empty/],
    ['lock   ', /query is empty/],
    ['devices', /query is empty/],
    ['lock ""', /query is empty/],
    ['lost my phone', /"lost" takes no query/],
    ['lock \u0007bell', /control characters/],
    ['lock pat\u202eenohp', /control characters/],
    [`lock ${'x'.repeat(201)}`, /longer than 200/],
    [`lock ${'x'.repeat(10_240)}`, /10245 characters long/],
  ])('refuses bad input %# with a reason', (text, reason) => {
    const parsed = parseCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(reason);
  });

  it('names the command whose usage to show', () => {
    expect(parseCommand('reset passcode')).toMatchObject({ ok: false, topic: 'reset-passcode' });
  });

  it('treats curly quotes around a name as quotes, and strips one pair only', () => {
    expect(parseCommand('lock “Pat’s iPhone”')).toEqual({ ok: true, command: { kind: 'action', action: 'lock', query: { kind: 'text', text: 'Pat’s iPhone' } } });
    expect(parseCommand(`lock "'X'"`)).toEqual({ ok: true, command: { kind: 'action', action: 'lock', query: { kind: 'text', text: "'X'" } } });
    expect(toQuery('ME')).toEqual({ kind: 'me' });
  });

  it.each([`lock """"`, `lock "''"`, 'lock “”'])('refuses a query of nothing but quotes: %s', (text) => {
    const parsed = parseCommand(text);
    if (parsed.ok) expect(parsed.command).toMatchObject({ query: { kind: 'text', text: expect.stringMatching(/\S/) } });
    else expect(parsed.problem).toMatch(/query is empty/);
  });
});

describe('button values', () => {
  it('round-trip and survive odd ids', () => {
    const values = [
      { kind: 'confirm', confirmationId: 'abc_-123', target: 'dev:1/2?' },
      { kind: 'confirm', confirmationId: 'abc', target: '*' },
      { kind: 'cancel', confirmationId: 'abc' },
      { kind: 'start', action: 'resetPasscode', deviceId: 'dev 1' },
    ] as const;
    for (const v of values) expect(decodeButton(encodeButton(v))).toEqual(v);
  });

  it.each(['', 'confirm', 'confirm:a', 'start:wipe:dev', 'delete:a', 'cancel:%E0%A4%A', `cancel:${'a'.repeat(600)}`])('rejects forged value %j', (value) => {
    expect(decodeButton(value)).toBeUndefined();
  });
});
