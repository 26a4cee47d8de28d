// The project's own directory, the same whether the code runs from its TypeScript sources (tests, benches) or from
// the JavaScript compiled into dist/ (npm start): files that ship beside the code (migrations, the Teams manifest)
// are found from here, not from the running file's own place.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function find(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = find(dirname(fileURLToPath(import.meta.url)));

export const fromRoot = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
