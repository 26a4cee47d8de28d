// Compiles lockdesk's TypeScript (src/, adapters/) to dist/ with tsc (files that ship beside the code, such as the
// SQL migrations, are read from the project root: src/project-root.ts). `--if-stale` does nothing when dist/ is newer than every source, so
// `npm start` after an edit runs the edit, and otherwise starts at once. Plain JavaScript: it runs before anything
// is compiled, without a TypeScript loader.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const STAMP = join(ROOT, 'dist', '.tsbuildinfo');
const SOURCES = ['src', 'adapters', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const stale = !existsSync(STAMP) || SOURCES.some((s) => newest(join(ROOT, s)) > statSync(STAMP).mtimeMs);
if (process.argv.includes('--if-stale') && !stale) process.exit(0);
execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
// tsc leaves its build info alone when nothing changed; the stamp says when dist/ was last checked against the sources.
const now = new Date();
utimesSync(STAMP, now, now);
