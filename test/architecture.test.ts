// Keeps the shape true: the core does no I/O and knows no chat platform; imports point inward.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('architecture', () => {
  it('the core imports nothing but itself, ports and zod', () => {
    const offenders = files('src/core').flatMap((file) =>
      importsOf(file)
        .filter((spec) => !(spec.startsWith('./') || spec === '../ports.js' || spec === 'zod'))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the core reads no environment and touches no file, network or process', () => {
    const forbidden = /process\.(env|argv|exit|stdout|stderr)|\bfetch\(|require\(|setInterval\(|setTimeout\(|Math\.random|Date\.now\(|new Date\(\)/;
    const offenders = files('src/core').filter((file) => forbidden.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('adapters reach the core through its public entry only, and never each other', () => {
    const offenders = files('adapters').flatMap((file) => {
      const adapter = relative('adapters', file).split('/')[0];
      return importsOf(file)
        .filter((spec) => {
          if (/src\/core\/(?!index\.js)/.test(spec)) return true;
          const other = /adapters\/([^/]+)\//.exec(spec) ?? /^\.\.\/([^/.]+)\//.exec(spec);
          return other !== null && other[1] !== adapter && !spec.includes('/src/');
        })
        .map((spec) => `${file} imports ${spec}`);
    });
    expect(offenders).toEqual([]);
  });

  it('backends and stores depend on the core and ports, not on adapters or each other', () => {
    const offenders = [...files('src/backend'), ...files('src/store')].flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.includes('adapters/') || (file.startsWith('src/backend') && spec.includes('/store/')) || (file.startsWith('src/store') && spec.includes('/backend/')))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the Teams SDK is used inside adapters/teams only, and botbuilder, botframework-* and teams-ai nowhere', () => {
    const offenders = ['src', 'adapters', 'bench', 'test'].flatMap((dir) =>
      files(dir).flatMap((file) =>
        importsOf(file)
          .filter((spec) => /^(botbuilder|botframework-|@microsoft\/teams-ai)/.test(spec) || (spec.startsWith('@microsoft/teams.') && !/^(adapters|test\/adapters)\/teams\//.test(file)))
          .map((spec) => `${file} imports ${spec}`),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
