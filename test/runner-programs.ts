// Programs for the runner tests, registered by the tests themselves (the real userland lives in
// src/userland). Each behaves like a tiny real tool: it reads argv, writes output, and exits,
// possibly later in simulated time.
import { IcmpType, formatIpv4, parseIpv4 } from '../src/wire';
import { ms, sec } from '../src/sim';
import { UsageError, type Program } from '../src/userland';
import type { Machine, NetworkNamespace } from '../src/stack';
import type { ProgramInstaller } from '../src/scenario';

type P = Program<NetworkNamespace, Machine>;

/** echo WORDS…: prints its arguments. */
const echo: P = (argv, _env, io, exit) => {
  io.stdout(`${argv.slice(1).join(' ')}\n`);
  exit(0);
};

/** status N: exits with status N, printing "status N" on stderr. */
const status: P = (argv, _env, io, exit) => {
  io.stderr(`status ${argv[1]}\n`);
  exit(Number(argv[1]));
};

/** later SECONDS TEXT: prints TEXT after SECONDS of simulated time. */
const later: P = (argv, env, io, exit) => {
  env.scheduler.schedule(sec(Number(argv[1])), () => {
    io.stdout(`${argv[2]} at ${env.scheduler.now}\n`);
    exit(0);
  });
};

/** hang: never exits (until killed). */
const hang: P = (_argv, env, io) => {
  io.stdout('waiting\n');
  let timer = env.scheduler.schedule(sec(600), function tick() { timer = env.scheduler.schedule(sec(600), tick); });
  return { kill: () => { env.scheduler.cancel(timer); io.stdout('killed (must not show)\n'); } };
};

/** spin: keeps the scheduler busy at the same instant forever (a storm). */
const spin: P = (_argv, env) => {
  const again = (): void => { env.scheduler.schedule(0, again); };
  again();
};

/** strict [-v]: any other option is a usage error. */
const strict: P = (argv, _env, io, exit) => {
  for (const a of argv.slice(1)) if (a.startsWith('-') && a !== '-v') throw new UsageError(`unrecognized option '${a}'`);
  io.stdout('strict ok\n');
  exit(0);
};

/** crash: a bug in a program. */
const crash: P = () => {
  throw new Error('the crash program crashed');
};

/** host: prints what the machine knows about itself. */
const hostinfo: P = (_argv, env, io, exit) => {
  const lines = env.ns.interfaces().map((i) => `${i.name} ${i.addresses.map((a) => `${formatIpv4(a.address)}/${a.prefixLen}`).join(',')}`);
  io.stdout(`${env.hostname}\n${lines.join('\n')}\n${env.files.read('/etc/resolv.conf') ?? 'no resolv.conf\n'}`);
  exit(0);
};

/**
 * probe DST [TTL]: one ICMP echo request; prints "reply from A ttl=N time=T ms" or, for an ICMP
 * error, "error TYPE from A"; "no reply" after 2 s.
 */
const probe: P = (argv, env, io, exit) => {
  const dst = parseIpv4(argv[1]!);
  const ttl = argv[2] === undefined ? 64 : Number(argv[2]);
  const socket = env.ns.icmp.open();
  const id = env.rng.int(0x10000);
  const sent = env.scheduler.now;
  const timer = env.scheduler.schedule(sec(2), () => {
    socket.close();
    io.stdout('no reply\n');
    exit(1);
  });
  socket.onMessage((m) => {
    if (m.message.type === IcmpType.EchoReply && m.message.identifier === id) {
      io.stdout(`reply from ${formatIpv4(m.srcIp)} ttl=${m.ttl} time=${((env.scheduler.now - sent) / ms(1)).toFixed(3)} ms\n`);
    } else if (m.message.isError) {
      io.stdout(`error ${m.message.type} from ${formatIpv4(m.srcIp)}\n`);
    } else {
      return;
    }
    env.scheduler.cancel(timer);
    socket.close();
    exit(0);
  });
  socket.sendEcho(dst, id, 1, new Uint8Array(56), { ttl });
};

const PROGRAMS: Record<string, P> = { echo, status, later, hang, spin, strict, crash, hostinfo, probe };

/** Installs the test programs on every machine. */
export const testPrograms: ProgramInstaller = (registry) => {
  for (const [name, p] of Object.entries(PROGRAMS)) registry.register(name, p);
};
