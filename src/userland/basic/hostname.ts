/**
 * busybox `hostname` (networking/hostname.c) as an unprivileged user would run it: print the
 * UTS hostname, or with -s the part before the first dot. Setting the name, -F, and the
 * resolver-based -d/-f/-i are not emulated (a UsageError says so).
 */
import type { Program } from '../program';
import { UsageError } from '../usage-error';

export const hostnameProgram: Program = (argv, env, io, exit) => {
  let short = false;
  const rest: string[] = [];
  for (const w of argv.slice(1)) {
    if (w.startsWith('-') && w.length > 1) {
      for (const c of w.slice(1)) {
        if (c === 's') short = true;
        else if (c === 'd' || c === 'f' || c === 'i' || c === 'F') throw new UsageError(`cnmlab: hostname -${c} is not emulated`);
        else throw new UsageError(`unrecognized option: ${c}`);
      }
    } else {
      rest.push(w);
    }
  }
  if (rest.length > 0) throw new UsageError('cnmlab: setting the hostname is not emulated');
  const name = env.hostname;
  io.stdout(`${short ? name.split('.')[0] : name}\n`);
  exit(0);
};
