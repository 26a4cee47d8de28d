// The process logger puts the correlation id of the request being handled on every line logged within it, whoever
// logs (nothing passes it along), keeps concurrent requests apart, and lets a line that names its own id keep it.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { correlation, createLogger } from '../src/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('debug', stream) };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('the logger and the correlation context', () => {
  it('every line logged within a request, across awaits and timers, carries its id; lines outside carry none', async () => {
    const { lines, logger } = capture();
    logger.info({}, 'before');
    await correlation.run('corr-1', async () => {
      logger.info({}, 'at once');
      await tick();
      await new Promise<void>((resolve) => setImmediate(() => resolve(logger.warn({ n: 1 }, 'in a callback'))));
    });
    logger.info({}, 'after');
    expect(lines.map((l) => [l.msg, l.correlationId])).toEqual([
      ['before', undefined],
      ['at once', 'corr-1'],
      ['in a callback', 'corr-1'],
      ['after', undefined],
    ]);
  });

  it('keeps concurrent requests apart', async () => {
    const { lines, logger } = capture();
    const request = (id: string) =>
      correlation.run(id, async () => {
        for (let i = 0; i < 3; i++) {
          logger.info({ id }, 'step');
          await tick();
        }
      });
    await Promise.all([request('a'), request('b'), request('c')]);
    expect(lines).toHaveLength(9);
    for (const line of lines) expect(line.correlationId).toBe(line.id);
  });

  it("a line's own correlationId wins, and the context is not changed by a line's fields", async () => {
    const { lines, logger } = capture();
    await correlation.run('outer', async () => {
      logger.info({ correlationId: 'of-a-follow-up', extra: 'x' }, 'names its own');
      logger.info({}, 'plain');
    });
    expect(lines.map((l) => [l.correlationId, l.extra])).toEqual([
      ['of-a-follow-up', 'x'],
      ['outer', undefined],
    ]);
  });

  it('still redacts secrets', async () => {
    const { lines, logger } = capture();
    await correlation.run('r', async () => logger.info({ token: 'xoxb-secret', nested: { password: 'p' } }, 'secrets'));
    expect(JSON.stringify(lines)).not.toMatch(/xoxb-secret|"p"/);
  });
});

describe('the logger and secrets', () => {
  it('redacts a passcode or an unlock PIN logged under its own name, even as a plain string', () => {
    const { lines, logger } = capture();
    logger.warn({ passcode: '482913', status: { unlockPin: '604182' }, unlockPin: '318840' }, 'a careless line');
    expect(JSON.stringify(lines)).not.toMatch(/482913|604182|318840/);
    expect(lines[0]).toMatchObject({ passcode: '[secret]', unlockPin: '[secret]', status: { unlockPin: '[secret]' } });
  });
});
