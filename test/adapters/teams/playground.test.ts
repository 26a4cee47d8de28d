// The whole flow through the Microsoft 365 Agents Playground (the local Teams client) against the bot on the
// simulated tenant: Alex Wilber, the Playground's default user, loses a phone and resets a passcode.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEndpoint, playgroundCommand } from '../../../adapters/teams/playground.js';
import { executeActions, startHarness, waitFor, type Harness } from './harness.js';
import { listen, type TextStream } from './ws-client.js';

let bot: Harness;
let playground: ChildProcess | undefined;
let stream: TextStream | undefined;
let base = '';
let output = '';
const workDir = mkdtempSync(path.join(tmpdir(), 'lockdesk-playground-'));

beforeAll(async () => {
  bot = await startHarness({ LOCKDESK_SIM_SETTLE_MS: '300' }, { connector: false });
  const port = Number(new URL(bot.url).port);
  const cmd = playgroundCommand({ endpoint: botEndpoint('127.0.0.1', port), port: 0 });
  // Its log goes to ./devTools under its working directory: a temporary one.
  playground = spawn(cmd.command, cmd.args, { env: cmd.env, cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  playground.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  playground.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const listening = await waitFor(() => /Listening on (\d+)/.exec(output)?.[1], 45_000).catch(() => {
    throw new Error(`the Agents Playground did not start:\n${output}`);
  });
  base = `http://127.0.0.1:${listening}`;
  stream = await listen(`${base}/_ws_conversation/v1/conversations/stream`);
}, 60_000);

afterAll(async () => {
  stream?.close();
  if (playground && playground.exitCode === null) {
    const exited = new Promise((resolve) => playground!.once('exit', resolve));
    playground.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (playground.exitCode === null) playground.kill('SIGKILL');
  }
  await bot?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const json = async (res: Response) => {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
};

/** Bot messages the Playground pushed to its client since `from`. */
const framesSince = (from: number) => stream!.messages.slice(from).map((m) => JSON.parse(m) as { action?: string; actionConversationId?: string; message?: any });

describe('Teams through the Agents Playground', () => {
  it('Alex locks his lost phone and resets a passcode, confirming on Adaptive Cards', async () => {
    const { config } = await json(await fetch(`${base}/_internal/v1/config`));
    expect(config.currentUser).toMatchObject({ id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020' });
    const chat = config.personalChat.id as string;
    const say = async (text: string) => {
      const mark = stream!.messages.length;
      await json(await fetch(`${base}/_conversation/v1/conversations/${encodeURIComponent(chat)}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: { id: config.currentUser.id }, text, textFormat: 'plain' }) }));
      return waitFor(() => framesSince(mark).find((f) => f.message?.attachments?.[0]?.content?.type === 'AdaptiveCard')?.message, 15_000);
    };
    const press = async (messageId: string, data: object) =>
      json(
        await fetch(`${base}/_conversation/v1/invoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'adaptiveCard/action', from: { id: config.currentUser.id }, conversation: { id: chat }, replyToId: messageId, value: { action: { type: 'Action.Execute', verb: 'lockdesk.click', data }, trigger: 'manual' } }),
        }),
      );

    // "lost": which of Alex's devices, then the playbook for it, then the step's confirmation; each answer to a
    // click replaces the clicked card (the invoke response).
    const lost = await say('lost');
    const which = executeActions(lost.attachments[0].content);
    expect(which.map((b) => b.title)).toEqual(['I lost this one', 'I lost this one']);
    const cardOfAnswer = (answer: any) => answer.value?.value ?? answer.value;
    const playbook = cardOfAnswer(await press(lost.messageId, which[0]!.data));
    expect(JSON.stringify(playbook)).toContain('What to do about');
    expect(JSON.stringify(playbook)).toContain("Alex's iPhone");
    const steps = executeActions(playbook);
    expect(steps.map((b) => b.title)).toEqual(['Lock']);
    const confirmation = cardOfAnswer(await press(lost.messageId, steps[0]!.data));
    const buttons = executeActions(confirmation);
    expect(buttons.map((b) => b.title)).toEqual(['Lock "Alex\'s iPhone"', 'Cancel']);

    const mark = stream!.messages.length;
    const answer = await press(lost.messageId, buttons[0]!.data);
    expect(JSON.stringify(answer)).toContain('Remote lock confirmed by alexw@example.com');
    // The card is then updated in place until Intune (simulated) reports the lock done.
    await waitFor(() => framesSince(mark).find((f) => JSON.stringify(f).includes('done: Intune reports')), 15_000);
    const [iphone] = await bot.app.backend.findDevices({ by: 'name', value: "Alex's iPhone" });
    expect((await bot.app.backend.getActionStatus(iphone!.id, 'lock')).state).toBe('done');

    // A passcode reset on the Android phone: the temporary passcode arrives in the personal chat only.
    const reset = await say("reset passcode Alex's Pixel 7");
    const resetButton = executeActions(reset.attachments[0].content)[0]!;
    const beforeSecret = stream!.messages.length;
    expect(JSON.stringify(await press(reset.messageId, resetButton.data))).toContain('Passcode reset confirmed');
    const secret = await waitFor(() => framesSince(beforeSecret).find((f) => f.action === 'createMessage' && JSON.stringify(f).includes('Temporary passcode')), 15_000);
    expect(secret.actionConversationId).toBe(chat);
    const code = /"text":"(\d{6})"/.exec(JSON.stringify(secret.message.attachments[0].content))![1]!;
    expect(bot.logger.lines.some((l) => l.includes(code))).toBe(false);
  }, 90_000);
});
