// The README and .env.example stay true to the configuration: every variable lockdesk reads is in both.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/index.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('documentation', () => {
  const variables = Object.keys(configSchema.shape);

  it('.env.example names every configuration variable', () => {
    const example = read('.env.example');
    expect(variables.filter((v) => !new RegExp(`^#? ?${v}=`, 'm').test(example))).toEqual([]);
  });

  it("the README's Configuration table has a row for every configuration variable", () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## The audit trail'));
    expect(variables.filter((v) => !table.includes(`| \`${v}\` |`))).toEqual([]);
  });
});
