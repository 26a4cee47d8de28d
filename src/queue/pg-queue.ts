// The follow-up queue shared by every replica on PostgreSQL, on pg-boss. A job is taken by one replica; when that
// replica dies, its job expires and another takes it. pg-boss's defaults (15-minute expiry, 2-minute maintenance)
// would leave a dead replica's work for far longer than the minute lockdesk promises, so they are set here. pg-boss
// installs and migrates its own schema and creates the queue (DDL): as the owner role when there is one
// (installFollowUpQueue), so that the runtime role only checks the schema's version and runs jobs.
import PgBoss from 'pg-boss';
import type { FollowUpJob, JobQueue, Logger } from '../ports.js';
import { translatePgError, withDefaultUser } from '../store/postgres/pool.js';

export const FOLLOW_UP_QUEUE = 'lockdesk-follow-up';

export interface PgQueueOptions {
  url: string;
  /** The owner role's URL: pg-boss's schema and the queue are created with it, and `url` never runs DDL. */
  migrationUrl?: string | undefined;
  /** pg-boss's own tables live in this schema. */
  schema?: string;
  logger: Logger;
  /** A job not finished this long after a replica took it is given to another (default 30 s). */
  expireInSeconds?: number;
  /** How often expired jobs are looked for (default 10 s). */
  maintenanceIntervalSeconds?: number;
  /** How often a replica asks for work (default 0.5 s; pg-boss waits this long after each fetch). */
  pollingIntervalSeconds?: number;
  /** How long past its chat window (or its start) idle() goes on waiting for a chat job run elsewhere (default 10 min). */
  chatJobMarginMs?: number;
}

/** Long enough for a job's retries (50, 2 s apart) and an expiry or two; idle() is for tests and the console. */
const CHAT_JOB_MARGIN_MS = 10 * 60_000;

export const DEFAULT_BOSS_SCHEMA = 'lockdesk_boss';

export class PgQueue implements JobQueue {
  readonly #boss: PgBoss;
  readonly #logger: Logger;
  readonly #pollingIntervalSeconds: number;
  readonly #url: string;
  readonly #chatJobMarginMs: number;
  /**
   * Chat-phase jobs this process scheduled and has not seen end, each with when to stop waiting for it: what
   * idle() waits for. A job run here is forgotten when its round ends; one run by another replica once it is
   * past its chat window and the margin, so that a server that never calls idle() does not keep every id.
   */
  readonly #chatJobs = new Map<string, number>();

  private constructor(boss: PgBoss, url: string, logger: Logger, pollingIntervalSeconds: number, chatJobMarginMs: number) {
    this.#boss = boss;
    this.#url = url;
    this.#logger = logger;
    this.#pollingIntervalSeconds = pollingIntervalSeconds;
    this.#chatJobMarginMs = chatJobMarginMs;
  }

  static async open(options: PgQueueOptions): Promise<PgQueue> {
    const owned = options.migrationUrl !== undefined;
    if (owned) await installFollowUpQueue({ ...options, url: options.migrationUrl! });
    const boss = newBoss(options.url, options, {
      max: 4,
      // With an owner role, the schema must be there already at the version this pg-boss expects; nothing is created.
      migrate: !owned,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 10,
      // Follow-up jobs are short; keep finished ones a day for inspection, not pg-boss's default fortnight.
      deleteAfterDays: 1,
    });
    await boss.start();
    if (!owned) await createQueueOnce(boss, followUpQueue(options));
    return new PgQueue(boss, options.url, options.logger, options.pollingIntervalSeconds ?? 0.5, options.chatJobMarginMs ?? CHAT_JOB_MARGIN_MS);
  }

  async schedule(job: FollowUpJob, delayMs: number): Promise<void> {
    const startAfter = Date.now() + Math.max(0, delayMs);
    // Scheduled before anything is sent: a database out of reach (or a value it refuses) is answered as such, once.
    const id = await this.#boss.send(FOLLOW_UP_QUEUE, job, { singletonKey: job.key, startAfter: new Date(startAfter) }).catch((error: unknown) => {
      throw translatePgError(error, 'scheduling a follow-up', this.#url);
    });
    if (!id || job.phase !== 'chat') return;
    this.#forgetStale();
    this.#chatJobs.set(id, Math.max(startAfter, Date.parse(job.chatUntil) || 0) + this.#chatJobMarginMs);
  }

  /** Jobs queued and not yet taken, by any replica (one query), for the queue-depth metric. */
  async depth(): Promise<number> {
    return this.#boss.getQueueSize(FOLLOW_UP_QUEUE).catch((error: unknown) => {
      throw translatePgError(error, 'reading the queue depth', this.#url);
    });
  }

  /** How many chat-phase job ids this process keeps for idle() (for tests: it must not grow without bound). */
  get trackedChatJobs(): number {
    return this.#chatJobs.size;
  }

  /** Waits until every chat-phase job this process scheduled has ended, wherever it ran. */
  async idle(): Promise<void> {
    while (this.#chatJobs.size > 0) {
      this.#forgetStale();
      for (const id of [...this.#chatJobs.keys()]) {
        const found = await this.#boss.getJobById(FOLLOW_UP_QUEUE, id);
        if (!found || !['created', 'retry', 'active'].includes(found.state)) this.#chatJobs.delete(id);
      }
      if (this.#chatJobs.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  #forgetStale(): void {
    const now = Date.now();
    for (const [id, until] of this.#chatJobs) if (until <= now) this.#chatJobs.delete(id);
  }

  async start(worker: (job: FollowUpJob) => Promise<void>): Promise<void> {
    // Up to 20 rounds a fetch, run side by side: pg-boss waits a polling interval after every fetch, so one round a
    // fetch would cap a replica at two rounds a second, and one slow round would hold up the others.
    await this.#boss.work<FollowUpJob>(FOLLOW_UP_QUEUE, { pollingIntervalSeconds: this.#pollingIntervalSeconds, batchSize: 20 }, async (jobs) => {
      const outcomes = await Promise.allSettled(jobs.map((job) => worker(job.data)));
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      // pg-boss retries the batch's jobs when the handler throws; a round is safe to run again (state moves are conditional).
      if (failed) throw failed.reason;
      // Ended for good, here: nothing left for idle() to wait for.
      for (const job of jobs) this.#chatJobs.delete(job.id);
    });
  }

  async stop(): Promise<void> {
    await this.#boss.stop({ graceful: true, timeout: 5_000, wait: true }).catch((err: unknown) => this.#logger.warn({ err }, 'stopping pg-boss'));
  }
}

/**
 * Installs or upgrades pg-boss's schema and creates the follow-up queue, as the role of `url` (the owner): at
 * start-up when DATABASE_MIGRATION_URL is set, and in `npm run migrate`. No maintenance or work runs on it.
 */
export async function installFollowUpQueue(options: Pick<PgQueueOptions, 'url' | 'schema' | 'logger' | 'expireInSeconds'>): Promise<void> {
  const boss = newBoss(options.url, options, { max: 1, migrate: true, supervise: false });
  await boss.start();
  try {
    await createQueueOnce(boss, followUpQueue(options));
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

function newBoss(url: string, options: Pick<PgQueueOptions, 'schema' | 'logger'>, settings: PgBoss.ConstructorOptions): PgBoss {
  const boss = new PgBoss({
    connectionString: withDefaultUser(url),
    schema: options.schema ?? DEFAULT_BOSS_SCHEMA,
    // lockdesk schedules no cron jobs; pg-boss's scheduler would create a queue of its own (DDL) and poll for nothing.
    schedule: false,
    ...settings,
  });
  boss.on('error', (err) => options.logger.warn({ err: { message: (err as Error).message } }, 'pg-boss reported an error'));
  return boss;
}

const followUpQueue = (options: Pick<PgQueueOptions, 'expireInSeconds'>): PgBoss.Queue & { name: string } => ({
  name: FOLLOW_UP_QUEUE,
  policy: 'short',
  expireInSeconds: options.expireInSeconds ?? 30,
  retryLimit: 50,
  retryDelay: 2,
});

const DEADLOCK = '40P01';

/**
 * "short": at most one queued job per key, so every replica's recovery sweep can schedule without doubling.
 * Replicas starting together race to create the queue, and pg-boss's createQueue can deadlock with itself; the
 * loser of a deadlock tries again, and a queue that exists is left as it is.
 */
async function createQueueOnce(boss: PgBoss, queue: PgBoss.Queue & { name: string }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (await boss.getQueue(queue.name)) return;
    try {
      await boss.createQueue(queue.name, queue);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
    }
  }
}
