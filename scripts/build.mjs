// Compiles src/ and test/ from TypeScript to CommonJS under dist/ with @swc/core.
// Type-checking is tsc's job (`npm run typecheck`); this only strips types, so it is fast.
// Only files whose source (or this script) is newer than their output are recompiled.
//
// Heads up (performance): swc's CommonJS output exports every binding through an accessor
// (`Object.defineProperty(exports, name, { get })`, and `export *` in an index adds another
// accessor on top), so every call of an imported function — `readU48` from '../wire' on every
// frame — ran one or two getter calls, often on an exports object V8 had put in dictionary
// mode. Measured with `node --cpu-prof` on BENCH.md's W1: 14 % of the run in those getters, and
// W1 at 235,000 datagrams/s instead of 406,000 once they were gone. So each module's exports
// are made configurable (on the same line: source maps keep their lines) and, when the module
// has finished loading, turned into plain read-only data properties (`finalizeExports`). A
// re-exported binding that is still undefined then (a module still loading in an import cycle)
// keeps a getter that turns itself into a data property on its first defined read. The code
// exports no `let` that changes later, so nothing observable changes.
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

/** Appended to every module (before its source map comment, so no mapped line moves). */
const finalizeExports = `;(function finalizeExports(t) {
  for (const n of Object.getOwnPropertyNames(t)) {
    const d = Object.getOwnPropertyDescriptor(t, n);
    if (d.get === undefined || !d.configurable) continue;
    let v;
    try { v = d.get(); } catch { v = undefined; }
    if (v !== undefined) { Object.defineProperty(t, n, { value: v, enumerable: d.enumerable, writable: false, configurable: false }); continue; }
    const get = d.get;
    Object.defineProperty(t, n, { enumerable: d.enumerable, configurable: true, get() {
      const late = get();
      if (late !== undefined) Object.defineProperty(t, n, { value: late, enumerable: d.enumerable, writable: false, configurable: false });
      return late;
    } });
  }
})(exports);
`;

/** swc's accessor exports, made configurable, and finalized at the module's end (see the heads-up). */
function dataExports(code, file) {
  const accessor = /enumerable: true,(\n\s*get:)/g;
  if (!accessor.test(code)) return code;
  const out = code.replace(accessor, 'enumerable: true, configurable: true,$1');
  const map = out.lastIndexOf('\n//# sourceMappingURL=');
  if (map < 0) throw new Error(`build: no source map comment in the output of ${file}`);
  return `${out.slice(0, map)}\n${finalizeExports.replace(/\n\s*/g, ' ')}${out.slice(map)}`;
}

const scriptTime = statSync(fileURLToPath(import.meta.url)).mtimeMs;
const jobs = [];
const wanted = new Set();
for (const top of ['src', 'test']) {
  for (const file of walk(join(root, top))) {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    wanted.add(target);
    if (existsSync(target) && statSync(target).mtimeMs >= Math.max(statSync(file).mtimeMs, scriptTime)) continue;
    jobs.push(transformFile(file, { ...options, filename: file }).then((r) => {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, dataExports(r.code, file));
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
