// The policy file, read again when it changes (fs.watch on its directory, debounced) or on SIGHUP. The new file is
// checked exactly as at start-up; a bad one is refused (logged with every problem, audited) and the policy in force
// stays; a good one is in force from the next request on. The audit trail gets the file's hash, never its content.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { auditEvent } from './core/audit.js';
import type { PolicyHolder } from './core/index.js';
import { parsePolicyText, readText, textHash } from './data-files.js';
import type { AuditLog, Clock, IdSource, Logger } from './ports.js';

export const RELOAD_DEBOUNCE_MS = 250;

export type ReloadTrigger = 'change' | 'SIGHUP';

export type PolicyReload =
  | { outcome: 'applied'; hash: string }
  | { outcome: 'refused'; hash: string | undefined; problems: string }
  /** A change event for the text already in force (or already refused): nothing to do, nothing audited. */
  | { outcome: 'unchanged'; hash: string };

export interface PolicyReloader {
  /** Reads the file now; reloads never overlap (one waits for the other). */
  reload(trigger: ReloadTrigger): Promise<PolicyReload>;
  /** Starts watching the file's directory; a burst of events is one reload, RELOAD_DEBOUNCE_MS after the last. */
  watch(): void;
  close(): void;
}

export interface PolicyReloaderOptions {
  file: string;
  holder: PolicyHolder;
  /** The hash of the file the policy in force came from. */
  hash: string | undefined;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  debounceMs?: number;
}

export function policyReloader(options: PolicyReloaderOptions): PolicyReloader {
  const { file, holder, audit, clock, ids, logger } = options;
  let applied = options.hash;
  let refused: string | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  const record = (outcome: 'applied' | 'refused', reason: string) =>
    audit.append(auditEvent(clock, { event: 'policy-reload', outcome, reason, correlationId: ids.id(), actor: null })).catch((err: unknown) => logger.error({ err }, 'could not audit the policy reload'));

  async function once(trigger: ReloadTrigger): Promise<PolicyReload> {
    let text: string;
    try {
      text = await readText(file, 'policy file');
    } catch (error) {
      // A file replaced by rename is briefly missing: the event that brings it back reloads it.
      const problems = (error as Error).message;
      logger.error({ file, trigger, problems }, 'the policy file was not reloaded: the policy in force stays');
      await record('refused', `${trigger}: cannot read ${file}; the policy in force stays`);
      return { outcome: 'refused', hash: undefined, problems };
    }
    const hash = textHash(text);
    if (trigger === 'change' && (hash === applied || hash === refused)) return { outcome: 'unchanged', hash };
    try {
      const policy = parsePolicyText(text, file);
      holder.replace(policy);
      applied = hash;
      refused = undefined;
      logger.info({ file, trigger, sha256: hash, roles: policy.roles.length }, 'policy file reloaded: in force from the next request');
      await record('applied', `${trigger}: ${file} sha256 ${hash}`);
      return { outcome: 'applied', hash };
    } catch (error) {
      const problems = (error as Error).message;
      refused = hash;
      logger.error({ file, trigger, sha256: hash, problems }, 'the policy file was refused: the policy in force stays');
      const count = problems.split('\n').filter((l) => /^\s+- /.test(l)).length;
      await record('refused', `${trigger}: ${file} sha256 ${hash}: ${count > 0 ? `${count} problem${count === 1 ? '' : 's'}` : 'not valid JSON'}, listed in the log; the policy in force stays`);
      return { outcome: 'refused', hash, problems };
    }
  }

  const reload = (trigger: ReloadTrigger): Promise<PolicyReload> => {
    const next = chain.then(() => once(trigger));
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    reload,
    watch() {
      if (watcher) return;
      const name = basename(file);
      // The directory, not the file: an editor that saves by rename replaces the file a file watch would follow.
      watcher = watch(dirname(file), (_event, changed) => {
        if (changed !== null && changed.toString() !== name) return;
        clearTimeout(timer);
        timer = setTimeout(() => void reload('change'), options.debounceMs ?? RELOAD_DEBOUNCE_MS);
        timer.unref();
      });
      watcher.on('error', (err) => logger.warn({ err, file }, 'cannot watch the policy file any more; SIGHUP still reloads it'));
      watcher.unref();
    },
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
