/**
 * busybox `cat` (coreutils/cat.c) over the machine's virtual files: each file in turn; one it
 * cannot open is reported ("cat: can't open 'X': No such file or directory") and makes the
 * exit status 1, the others are still printed. `-` and no argument read standard input, which
 * is empty here. cat's options (-n, -b, -v, -e, -t, -A) are not emulated.
 */
import type { Program } from '../program';
import { UsageError } from '../usage-error';

export const catProgram: Program = (argv, env, io, exit) => {
  const files: string[] = [];
  let options = true;
  for (const w of argv.slice(1)) {
    if (options && w === '--') {
      options = false;
      continue;
    }
    if (options && w.startsWith('-') && w !== '-') {
      if (/^-[nbvetAu]+$/.test(w)) {
        if (w === '-u') continue;
        throw new UsageError(`cnmlab: cat ${w} is not emulated`);
      }
      throw new UsageError(`unrecognized option: ${w.slice(1, 2)}`);
    }
    files.push(w);
  }
  let status = 0;
  for (const f of files) {
    if (f === '-') continue;
    const text = env.files.read(f);
    if (text === undefined) {
      io.stderr(`cat: can't open '${f}': No such file or directory\n`);
      status = 1;
      continue;
    }
    io.stdout(text);
  }
  exit(status);
};
