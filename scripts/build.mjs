// Compiles src/ and test/ from TypeScript to CommonJS under dist/ with @swc/core.
// Type-checking is tsc's job (`npm run typecheck`); this only strips types, so it is fast.
// Only files whose source is newer than their output are recompiled.
import { transformFile } from '@swc/core';
import { readdirSync, statSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const options = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
  module: { type: 'commonjs', strict: true },
  sourceMaps: 'inline',
};

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) yield p;
  }
}

const jobs = [];
const wanted = new Set();
for (const top of ['src', 'test']) {
  for (const file of walk(join(root, top))) {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    wanted.add(target);
    if (existsSync(target) && statSync(target).mtimeMs >= statSync(file).mtimeMs) continue;
    jobs.push(transformFile(file, { ...options, filename: file }).then((r) => {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, r.code);
    }));
  }
}
await Promise.all(jobs);
// Remove outputs whose source is gone, so a deleted test does not keep running.
for (const top of ['src', 'test']) {
  for (const f of (function* w(d) { if (!existsSync(d)) return; for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) yield* w(p); else if (p.endsWith('.js')) yield p; } })(join(out, top))) {
    if (!wanted.has(f)) rmSync(f);
  }
}
