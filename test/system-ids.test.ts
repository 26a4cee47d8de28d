// The ids lockdesk makes: a secret id is 22 url-safe characters and never starts like a command-line option.
import { describe, expect, it } from 'vitest';
import { systemIds } from '../src/system.js';

describe('secret ids', () => {
  it('are 22 url-safe characters, all different, none starting with "-" or "_" (in 20,000 of them)', () => {
    const ids = Array.from({ length: 20_000 }, () => systemIds.secretId());
    expect(ids.every((id) => /^[A-Za-z0-9][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
