// A confirmation reached through a slash command is ephemeral: only its response URL can replace it, 5 posts in
// all. Progress updates of a long bulk action must not spend them all: once only the reserve is left, a status on
// its way is skipped, and the outcome still replaces the message (never a new message per update).
import type { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/core/index.js';
import { RESPONSE_URL_POSTS, ResponseUrls } from '../../../adapters/slack/response-url.js';
import { createSink, RESPONSE_URL_RESERVE } from '../../../adapters/slack/sink.js';

const URL_ = 'https://hooks.slack.com/actions/T0CONTOSO/1/abc';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const status = (text: string, transient: boolean): Reply => ({ text, blocks: [{ kind: 'paragraph', text }], ...(transient ? { transient } : {}) });

function setUp() {
  const posts: Array<Record<string, unknown>> = [];
  const calls: string[] = [];
  const responseUrls = new ResponseUrls({
    fetch: async (_url, init) => {
      posts.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      return new Response('ok', { status: 200 });
    },
  });
  const record = (method: string) => async () => (calls.push(method), { ok: true });
  const client = { chat: { postEphemeral: record('chat.postEphemeral'), postMessage: record('chat.postMessage'), update: record('chat.update') }, views: { open: record('views.open') } } as unknown as webApi.WebClient;
  const sink = createSink({ client, responseUrls, logger: silent, apiOrigin: 'https://slack.com' }, { kind: 'click', userId: 'U0GWEN', channelId: 'C0HELP', responseUrl: URL_, message: { channel: 'C0HELP', ts: '1.0001', ephemeral: true } });
  return { sink, posts, calls };
}

describe('Slack progress updates within the response URL budget', () => {
  it('skips progress once only the reserve is left, and the outcome still replaces the message', async () => {
    const { sink, posts, calls } = setUp();
    for (let i = 0; i < 8; i++) await sink.update(status(`600 devices: ${i * 50} done`, true));
    expect(posts).toHaveLength(RESPONSE_URL_POSTS - RESPONSE_URL_RESERVE);
    await sink.update(status('600 devices: 600 done', false));
    expect(posts).toHaveLength(RESPONSE_URL_POSTS - RESPONSE_URL_RESERVE + 1);
    expect(posts.at(-1)).toMatchObject({ replace_original: true, text: '600 devices: 600 done' });
    expect(calls).toEqual([]);
  });

  it('a message chat.update can replace is updated every time: no budget to keep', async () => {
    const calls: string[] = [];
    const dm = createSinkFor(calls);
    for (let i = 0; i < 8; i++) await dm.update(status(`step ${i}`, true));
    expect(calls).toEqual(Array(8).fill('chat.update'));
  });
});

function createSinkFor(calls: string[]) {
  const record = (method: string) => async () => (calls.push(method), { ok: true });
  const client = { chat: { postEphemeral: record('chat.postEphemeral'), postMessage: record('chat.postMessage'), update: record('chat.update') } } as unknown as webApi.WebClient;
  return createSink({ client, responseUrls: new ResponseUrls(), logger: silent, apiOrigin: 'https://slack.com' }, { kind: 'click', userId: 'U0GWEN', channelId: 'D0GWEN', responseUrl: URL_, message: { channel: 'D0GWEN', ts: '1.0002', ephemeral: false } });
}
