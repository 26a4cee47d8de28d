// The Block Kit renderer on its own: limits kept, buttons carried unchanged, text escaped.
import { describe, expect, it } from 'vitest';
import { renderBlocks, renderHome, renderMessage } from '../../../adapters/slack/block-kit.js';
import { clip, LIMITS } from '../../../adapters/slack/limits.js';
import type { DeviceCard, Reply } from '../../../src/core/index.js';

function card(n: number, name = `Device ${n}`): DeviceCard {
  return {
    id: `id-${n}`,
    name,
    model: 'Google Pixel 8',
    os: 'Android 14',
    owner: 'Alice Smith (alice@contoso.com)',
    serialTail: '…AB12',
    lastCheckIn: '2026-11-27T08:00:00Z',
    lastCheckInAgo: '5 minutes ago',
    platform: 'Android',
    managementMode: 'fully managed',
    support: [
      { action: 'lock', supported: true, text: 'Supported.' },
      { action: 'resetPasscode', supported: false, text: 'Only the work profile.' },
    ],
    willHappen: 'The device locks.',
    cautions: [],
  };
}

const confirmReply = (count: number, name?: (n: number) => string): Reply => ({
  text: 'Choose the device.',
  blocks: [
    { kind: 'heading', text: 'Choose the device for the remote lock.' },
    ...Array.from({ length: count }, (_, n) => ({
      kind: 'device' as const,
      card: card(n, name?.(n)),
      buttons: [{ label: `Lock "Device ${n}"`, value: `confirm:abc:id-${n}`, style: 'danger' as const, confirm: { title: 'Lock?', text: 'Sure?', ok: 'Lock', cancel: 'Keep it' } }],
    })),
    { kind: 'paragraph', text: 'Nothing is sent until you click.' },
    { kind: 'actions', buttons: [{ label: 'Cancel', value: 'cancel:abc', style: 'default' }] },
  ],
});

const buttons = (blocks: ReturnType<typeof renderBlocks>) =>
  blocks.flatMap((b) => [...('accessory' in b && b.accessory ? [b.accessory] : []), ...(b.type === 'actions' ? b.elements : [])]) as Array<{ action_id: string; value: string; text: { text: string } }>;

describe('Block Kit renderer', () => {
  it('renders a few devices in full: a section with fields, a context line, the buttons', () => {
    const blocks = renderBlocks(confirmReply(2));
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'context', 'actions', 'section', 'context', 'actions', 'section', 'actions']);
    expect(buttons(blocks).map((b) => b.value)).toEqual(['confirm:abc:id-0', 'confirm:abc:id-1', 'cancel:abc']);
    expect(new Set(buttons(blocks).map((b) => b.action_id)).size).toBe(3);
  });

  it('keeps within 50 blocks: compact cards for 25 devices, and a note when even those do not fit', () => {
    const compact = renderBlocks(confirmReply(25));
    expect(compact.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    expect(buttons(compact)).toHaveLength(26);
    const many = renderBlocks(confirmReply(80));
    expect(many.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    expect(JSON.stringify(many)).toContain('more device(s) are not shown here');
    expect(buttons(many).at(-1)!.value).toBe('cancel:abc');
    expect(renderHome(confirmReply(80)).blocks.length).toBeLessThanOrEqual(LIMITS.homeBlocks);
  });

  it('clips long text to Block Kit\'s limits and escapes mrkdwn', () => {
    const long = 'x'.repeat(5000);
    const reply: Reply = {
      text: long,
      blocks: [
        { kind: 'heading', text: long },
        { kind: 'paragraph', text: `<!channel> & ${long}` },
        { kind: 'actions', buttons: [{ label: long, value: 'cancel:abc', style: 'default', confirm: { title: long, text: long, ok: long, cancel: long } }] },
      ],
    };
    const message = renderMessage(reply);
    const [header, section, actions] = message.blocks as Array<Record<string, any>>;
    expect(header!.text.text.length).toBeLessThanOrEqual(LIMITS.headerText);
    expect(section!.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(section!.text.text.startsWith('&lt;!channel&gt; &amp; ')).toBe(true);
    const button = actions!.elements[0];
    expect(button.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
    expect(button.confirm.title.text.length).toBeLessThanOrEqual(LIMITS.confirmTitle);
    expect(button.confirm.text.text.length).toBeLessThanOrEqual(LIMITS.confirmText);
    expect(button.confirm.confirm.text.length).toBeLessThanOrEqual(LIMITS.confirmButton);
    expect(message.text.length).toBeLessThanOrEqual(LIMITS.messageText);
    const full = renderBlocks(confirmReply(1, () => long));
    for (const b of full as Array<Record<string, any>>) if (b.text?.text) expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
  });

  it('never splits a surrogate pair when clipping', () => {
    expect(clip('ab😀cd', 4)).toBe('ab…');
  });
});
