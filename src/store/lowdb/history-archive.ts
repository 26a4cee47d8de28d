// history.jsonl: settled dispatches and spent confirmations, moved out of state.json so that the live file (rewritten
// on every claim) stays small however much history accumulates. Append-only; nothing in lockdesk reads it back.
import type { Logger } from '../../ports.js';
import { JsonlAppender, type AppenderOptions } from './jsonl-appender.js';
import type { HistoryLine } from './schema.js';

export class HistoryArchive {
  readonly #appender: JsonlAppender;

  private constructor(appender: JsonlAppender) {
    this.#appender = appender;
  }

  static async open(file: string, logger: Logger, options: AppenderOptions = {}): Promise<HistoryArchive> {
    return new HistoryArchive(await JsonlAppender.open(file, logger, options));
  }

  /** Resolves once the lines are written; only then may the records leave state.json. */
  append(lines: readonly HistoryLine[]): Promise<void> {
    return lines.length === 0 ? Promise.resolve() : this.#appender.append(lines);
  }

  close(): Promise<void> {
    return this.#appender.close();
  }
}
