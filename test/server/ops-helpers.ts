// Shared by the operations tests: scraping /metrics from a running lockdesk (parsed strictly), polling, and the
// JSON log lines a process wrote.
import { expect } from 'vitest';
import { parsePrometheusText, type Family } from '../metrics/prom-text.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `find` gives something; fails naming `what` after `timeoutMs` (a safety net, not a timing assertion). */
export async function waitFor<T>(find: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(url);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(body);
}

export async function readyz(base: string): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

/** The JSON lines of lockdesk's log in a process's output (its banner is plain text and is skipped). */
export function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.app === 'lockdesk');
}
