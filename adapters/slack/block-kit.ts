// Renders the neutral Reply as Block Kit: a message (at most 50 blocks) or the App Home view (at most 100).
// Buttons carry the neutral Button.value unchanged; their action_id only has to be unique in the message.
import type { types } from '@slack/bolt';
import { actionTitle, type Block, type Button, type DeviceCard, type Reply } from '../../src/core/index.js';
import { clip, LIMITS, mrkdwn } from './limits.js';

type KnownBlock = types.KnownBlock;
type SlackButton = types.Button;

/** Every lockdesk button's action_id starts with this; the listener matches on it. */
export const ACTION_ID_PREFIX = 'lockdesk-';
export const ACTION_ID_PATTERN = /^lockdesk-\d+$/;

const TONE_EMOJI = { info: ':information_source:', success: ':white_check_mark:', warning: ':warning:', error: ':x:' } as const;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: clip(text, max) || ' ', emoji: true });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(text, LIMITS.sectionText) || ' ' } });

class ButtonNumbers {
  #next = 0;
  render(button: Button): SlackButton | undefined {
    if (button.value.length > LIMITS.buttonValue) return undefined;
    const rendered: SlackButton = { type: 'button', action_id: `${ACTION_ID_PREFIX}${this.#next++}`, text: plain(button.label, LIMITS.buttonText), value: button.value };
    if (button.style !== 'default') rendered.style = button.style;
    if (button.confirm) {
      rendered.confirm = {
        title: plain(button.confirm.title, LIMITS.confirmTitle),
        text: plain(button.confirm.text, LIMITS.confirmText),
        confirm: plain(button.confirm.ok, LIMITS.confirmButton),
        deny: plain(button.confirm.cancel, LIMITS.confirmButton),
        ...(button.style === 'danger' ? { style: 'danger' as const } : {}),
      };
    }
    return rendered;
  }
  actions(buttons: Button[]): KnownBlock[] {
    const elements = buttons.map((b) => this.render(b)).filter((b): b is SlackButton => b !== undefined);
    const blocks: KnownBlock[] = [];
    for (let i = 0; i < elements.length; i += LIMITS.actionsElements) blocks.push({ type: 'actions', elements: elements.slice(i, i + LIMITS.actionsElements) });
    return blocks;
  }
}

function supportLines(card: DeviceCard): string[] {
  const lines = card.support.map((s) => `${actionTitle(s.action)}: ${s.supported ? 'yes' : 'no'}, ${s.text}`);
  return [...lines, ...card.cautions.map((c) => `:warning: ${c}`)];
}

function fields(card: DeviceCard): Array<[string, string]> {
  return [
    ['Model', card.model],
    ['OS', card.os],
    ['Owner', card.owner],
    ['Serial', card.serialTail],
    ['Last check-in', `${card.lastCheckInAgo} (${card.lastCheckIn})`],
    ['Management', `${card.platform}, ${card.managementMode}`],
  ];
}

/** Full: a section with fields, a context line of support and cautions, then the buttons. */
function deviceFull(card: DeviceCard, buttons: Button[], numbers: ButtonNumbers): KnownBlock[] {
  const head = `*${mrkdwn(card.name, 500)}*${card.willHappen ? `\n*What will happen:* ${mrkdwn(card.willHappen, 2000)}` : ''}`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(head, LIMITS.sectionText) },
      fields: fields(card)
        .slice(0, LIMITS.sectionFields)
        .map(([label, value]) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${mrkdwn(value, LIMITS.fieldText - label.length - 4)}` })),
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(supportLines(card).join('\n'), LIMITS.contextText) }] },
  ];
  return [...blocks, ...numbers.actions(buttons)];
}

/** Compact, when many devices must fit: one section (the button beside it when there is one). */
function deviceCompact(card: DeviceCard, buttons: Button[], numbers: ButtonNumbers): KnownBlock[] {
  const facts = fields(card).map(([label, value]) => `${label}: ${value}`).join(' · ');
  const text = [`*${mrkdwn(card.name, 300)}*`, mrkdwn(facts, 1200), card.willHappen ? `What will happen: ${mrkdwn(card.willHappen, 600)}` : '', mrkdwn(supportLines(card).join('\n'), 800)]
    .filter(Boolean)
    .join('\n');
  const block: KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
  if (buttons.length === 1) {
    const accessory = numbers.render(buttons[0]!);
    if (accessory) block.accessory = accessory;
    return [block];
  }
  return [block, ...numbers.actions(buttons)];
}

function renderOther(block: Exclude<Block, { kind: 'device' }>, numbers: ButtonNumbers): KnownBlock[] {
  switch (block.kind) {
    case 'heading':
      return [{ type: 'header', text: plain(block.text, LIMITS.headerText) }];
    case 'paragraph':
      return [section(block.text)];
    case 'notice':
      return [{ type: 'section', text: { type: 'mrkdwn', text: `${TONE_EMOJI[block.tone]} ${mrkdwn(block.text, LIMITS.sectionText - 30)}` } }];
    case 'actions':
      return numbers.actions(block.buttons);
  }
}

const deviceCost = (b: Extract<Block, { kind: 'device' }>, compact: boolean) => (compact ? (b.buttons.length > 1 ? 2 : 1) : b.buttons.length > 0 ? 3 : 2);

/**
 * Renders within `maxBlocks`: full device cards when they fit, compact ones when not, and as a last resort only
 * the first devices, saying how many were left out. Every block that is not a device is always kept.
 */
export function renderBlocks(reply: Reply, maxBlocks: number = LIMITS.messageBlocks): KnownBlock[] {
  const devices = reply.blocks.filter((b): b is Extract<Block, { kind: 'device' }> => b.kind === 'device');
  const probe = new ButtonNumbers();
  const fixed = reply.blocks.filter((b): b is Exclude<Block, { kind: 'device' }> => b.kind !== 'device').reduce((n, b) => n + renderOther(b, probe).length, 0);
  const total = (compact: boolean) => fixed + devices.reduce((n, b) => n + deviceCost(b, compact), 0);
  const compact = total(false) > maxBlocks;
  let room = maxBlocks - fixed;
  let keep = devices.length;
  if (total(compact) > maxBlocks) {
    room -= 1; // the "not shown" note
    keep = 0;
    for (const d of devices) {
      if (room - deviceCost(d, true) < 0) break;
      room -= deviceCost(d, true);
      keep++;
    }
  }

  const numbers = new ButtonNumbers();
  const out: KnownBlock[] = [];
  let seen = 0;
  for (const block of reply.blocks) {
    if (block.kind !== 'device') {
      out.push(...renderOther(block, numbers));
      continue;
    }
    seen++;
    if (seen <= keep) out.push(...(compact ? deviceCompact : deviceFull)(block.card, block.buttons, numbers));
    else if (seen === keep + 1) out.push(section(`:information_source: ${devices.length - keep} more device(s) are not shown here: Slack shows at most ${maxBlocks} blocks. Refine the query to see them.`));
  }
  return out.slice(0, maxBlocks);
}

export function renderMessage(reply: Reply): SlackMessage {
  return { text: mrkdwn(reply.text, LIMITS.messageText) || ' ', blocks: renderBlocks(reply, LIMITS.messageBlocks) };
}

export function renderHome(reply: Reply): types.HomeView {
  return { type: 'home', blocks: renderBlocks(reply, LIMITS.homeBlocks) };
}
