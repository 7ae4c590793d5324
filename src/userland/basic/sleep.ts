/**
 * busybox `sleep` (coreutils/sleep.c, with FEATURE_FANCY_SLEEP and FEATURE_FLOAT_SLEEP): the
 * arguments are added up; each is a number, decimals allowed, with an optional suffix s, m, h
 * or d; "inf" sleeps forever. The process exits after that much simulated time (the runner's
 * time limit, or kill, ends an endless one). A bad number: "sleep: invalid number 'X'", exit 1.
 */
import { sec, type Nanos } from '../../sim';
import type { Program } from '../program';
import { UsageError } from '../usage-error';

const SUFFIX_SECONDS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export const sleepProgram: Program = (argv, env, io, exit) => {
  const args = argv.slice(1);
  if (args.length === 0) throw new UsageError('missing operand (sleep [N]...)');
  let total: Nanos = 0;
  let forever = false;
  for (const a of args) {
    if (a === 'inf' || a === 'infinity') {
      forever = true;
      continue;
    }
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) {
      io.stderr(`sleep: invalid number '${a}'\n`);
      exit(1);
      return;
    }
    total += Math.round(sec(Number(m[1]) * SUFFIX_SECONDS[m[2]!]!));
  }
  if (forever) return { kill() {} };
  const id = env.scheduler.schedule(total, () => exit(0));
  return { kill: () => { env.scheduler.cancel(id); } };
};
