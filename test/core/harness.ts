// Builds the real handler over small real fakes (in-memory backend and store, fake clock) and records what it says.
import { readFileSync } from 'node:fs';
import { createHandler, DEFAULT_SETTINGS, DEFAULT_POLICY, platformSupportSchema, policySchema, type Actor, type Handler, type Policy, type Reply, type ReplySink, type SecretMessage, type Device } from '../../src/core/index.js';
import { buttonsOf, type SinkRestorer, type TypedPrompt } from '../../src/core/reply.js';
import type { AuditEvent } from '../../src/core/records.js';
import type { ApprovalNotice, ApprovalNotifier, Directory, IdentityDirectory, Logger, ProcessRegistry, Store } from '../../src/ports.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { FakeClock } from '../fakes/clock.js';
import { MemoryBackend } from '../fakes/memory-backend.js';

export const platforms = platformSupportSchema.parse(JSON.parse(readFileSync(new URL('../../data/platform-support.json', import.meta.url), 'utf8')));

export class RecordingSink implements ReplySink {
  readonly prompts: TypedPrompt[] = [];
  async askToType(prompt: TypedPrompt) {
    this.prompts.push(prompt);
  }
  readonly replies: Reply[] = [];
  readonly updates: Reply[] = [];
  readonly secrets: SecretMessage[] = [];
  async reply(reply: Reply) {
    this.replies.push(reply);
  }
  async update(reply: Reply) {
    this.updates.push(reply);
  }
  async sendSecret(message: SecretMessage) {
    this.secrets.push(message);
  }
  get lastReply(): Reply {
    const r = this.replies.at(-1);
    if (!r) throw new Error('no reply yet');
    return r;
  }
  get lastUpdate(): Reply {
    const r = this.updates.at(-1);
    if (!r) throw new Error('no update yet');
    return r;
  }
  /** Every text the person could read, replies and updates, in order. */
  get allText(): string {
    return [...this.replies, ...this.updates].map((r) => r.text).join('\n');
  }
}

export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  #log = (level: string) => (obj: object, msg?: string) => {
    this.lines.push(JSON.stringify({ level, ...obj, msg }, (_k, v) => (v instanceof Error ? { message: v.message } : v)));
  };
  debug = this.#log('debug');
  info = this.#log('info');
  warn = this.#log('warn');
  error = this.#log('error');
}

export interface Harness {
  handler: Handler;
  backend: MemoryBackend;
  store: Store;
  clock: FakeClock;
  logger: RecordingLogger;
  /** Sends a message and returns what came back. */
  say(actor: Actor, text: string): Promise<RecordingSink>;
  /** Clicks the button whose label contains `label` in `reply`. */
  click(actor: Actor, reply: Reply, label: string, sink?: RecordingSink): Promise<RecordingSink>;
  audit(): Promise<AuditEvent[]>;
}

export const actor = (email: string, extra: Partial<Actor> = {}): Actor => ({ platform: 'console', id: email, email, ...extra });

export function buttonValue(reply: Reply, label: string): string {
  const matches = buttonsOf(reply).filter((b) => b.label.includes(label));
  if (matches.length !== 1) throw new Error(`expected one button labelled like "${label}", found ${matches.map((b) => b.label).join(' | ') || 'none'}`);
  return matches[0]!.value;
}

/** Approval cards as an adapter would post them: each notice kept, with one recording sink per card. */
export class RecordingNotifier implements ApprovalNotifier {
  readonly notices: ApprovalNotice[] = [];
  readonly cards: RecordingSink[] = [];
  async notify(notice: ApprovalNotice) {
    this.notices.push(notice);
    const card = new RecordingSink();
    card.replies.push(notice.card);
    this.cards.push(card);
    return [card];
  }
}

/**
 * Entra ID as the tests see it: every address is its own user (`entra:<address>`), unless `users` gives the
 * address's user id (another address of someone, or nobody: undefined); `fail` makes it unable to answer.
 */
export class FakeIdentities implements IdentityDirectory {
  readonly users = new Map<string, string | undefined>();
  fail = false;
  async entraIdOf(address: string): Promise<string | undefined> {
    if (this.fail) throw new Error('Entra ID did not answer');
    const a = address.trim().toLowerCase();
    return this.users.has(a) ? this.users.get(a) : `entra:${a}`;
  }
}

export function makeHarness(
  devices: Device[],
  options: { policy?: Policy; settings?: Partial<typeof DEFAULT_SETTINGS>; sinks?: SinkRestorer; processes?: ProcessRegistry; store?: Store; idPrefix?: string; approvals?: ApprovalNotifier; directory?: Directory; identities?: IdentityDirectory | null } = {},
): Harness {
  const clock = new FakeClock('2025-06-02T09:00:00.000Z');
  const backend = new MemoryBackend(devices);
  backend.nowForStatus = () => clock.now().getTime();
  const store = options.store ?? createMemoryStore();
  const logger = new RecordingLogger();
  let n = 0;
  const queue = new MemoryQueue(clock, logger);
  const handler = createHandler({
    ...(options.sinks ? { sinks: options.sinks } : {}),
    ...(options.processes ? { processes: options.processes } : {}),
    ...(options.approvals ? { approvals: options.approvals } : {}),
    ...(options.directory ? { directory: options.directory } : {}),
    ...(options.identities === null ? {} : { identities: options.identities ?? new FakeIdentities() }),
    queue,
    backend,
    store,
    platforms,
    policy: options.policy ?? DEFAULT_POLICY,
    clock,
    ids: { secretId: () => `secret-${++n}-${Math.random().toString(36).slice(2)}`, id: () => `${options.idPrefix ?? 'id'}-${++n}` },
    logger,
    settings: { ...DEFAULT_SETTINGS, pollInitialMs: 1000, pollMaxMs: 4000, followUpMs: 60_000, ...options.settings },
  });
  queue.start((job) => handler.runFollowUp(job));
  const harness: Harness = {
    handler,
    backend,
    store,
    clock,
    logger,
    async say(who, text) {
      const sink = new RecordingSink();
      await handler.handleMessage(who, text, sink);
      return sink;
    },
    async click(who, reply, label, sink = new RecordingSink()) {
      await handler.handleClick(who, buttonValue(reply, label), sink);
      return sink;
    },
    async audit() {
      const events: AuditEvent[] = [];
      for await (const e of store.audit.read()) events.push(e);
      return events;
    },
  };
  return harness;
}

export const helpdeskPolicy: Policy = policySchema.parse({
  approvers: ['email:lead@contoso.com'],
  roles: [
    { name: 'helpdesk', members: ['email:help@contoso.com', 'slack-group:S0HELP'], actions: ['lock', 'resetPasscode'], devices: 'any' },
    { name: 'lockers', members: ['teams:aad-locker'], actions: ['lock'], devices: 'any' },
    { name: 'everyone', members: ['*'], actions: ['lock'], devices: 'own' },
  ],
});
