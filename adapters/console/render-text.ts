// Renders a neutral reply as terminal text; buttons become numbered choices the person types to click.
import { actionTitle, type Block, type Button, type DeviceAction, type DeviceCard, type Reply } from '../../src/core/index.js';

export interface RenderedText {
  text: string;
  buttons: Button[];
}

/** The two first actions keep their short names on a support line; the others are named by their title. */
const SUPPORT_NAME: Partial<Record<DeviceAction, string>> = { lock: 'lock', resetPasscode: 'reset passcode' };

function cardLines(card: DeviceCard): string[] {
  const lines = [
    `  ${card.name}`,
    `    ${card.model} · ${card.os} · owner ${card.owner}`,
    `    serial ${card.serialTail} · last check-in ${card.lastCheckInAgo} · ${card.platform}, ${card.managementMode}`,
  ];
  for (const s of card.support) lines.push(`    ${SUPPORT_NAME[s.action] ?? actionTitle(s.action)}: ${s.supported ? 'yes' : 'no'} (${s.text})`);
  if (card.willHappen) lines.push(`    what will happen: ${card.willHappen}`);
  for (const caution of card.cautions) lines.push(`    ! ${caution}`);
  return lines;
}

const TONE_MARK = { info: 'i', success: '✓', warning: '!', error: '✗' } as const;

export function renderText(reply: Reply, firstNumber = 1): RenderedText {
  const lines: string[] = [];
  const buttons: Button[] = [];
  const choices = (list: Button[]) =>
    list
      .map((b) => {
        buttons.push(b);
        return `[${firstNumber + buttons.length - 1}] ${b.label}`;
      })
      .join('  ');
  for (const block of reply.blocks as Block[]) {
    switch (block.kind) {
      case 'heading':
        lines.push(block.text);
        break;
      case 'paragraph':
        lines.push(block.text);
        break;
      case 'notice':
        lines.push(`${TONE_MARK[block.tone]} ${block.text}`);
        break;
      case 'device':
        lines.push(...cardLines(block.card));
        if (block.buttons.length > 0) lines.push(`    ${choices(block.buttons)}`);
        break;
      case 'actions':
        if (block.buttons.length > 0) lines.push(choices(block.buttons));
        break;
    }
  }
  return { text: lines.join('\n'), buttons };
}
