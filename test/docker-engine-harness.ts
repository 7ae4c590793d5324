// Shared by the docker-engine-* tests: a Docker host (a Machine with the engine installed), and
// a terminal that runs command lines on it (words split like a shell, with single and double
// quotes) until they exit, returning what they printed and their exit status.
import { Rng, Scheduler, TraceBus, sec } from '../src/sim';
import { Machine, type NetworkNamespace } from '../src/stack';
import {
  MemoryFiles, ProgramRegistry, registerBasicPrograms, registerIproute2, registerIptables, registerNetTools,
} from '../src/userland';
import { installDockerHost, parseRfc3339 } from '../src/docker';
import type { DockerEngine, EngineVersion, ExternalResolverStarter } from '../src/docker';

export const TUTORIAL_START = '2020-04-26T19:37:50Z';

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Splits a command line into words: spaces separate, quotes group, backslashes escape. */
export function words(line: string): string[] {
  const out: string[] = [];
  let w = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${line}`);
      w += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '\\') {
      w += line[++i] ?? '';
      inWord = true;
    } else if (c === ' ') {
      if (inWord) out.push(w);
      w = '';
      inWord = false;
    } else {
      w += c;
      inWord = true;
    }
  }
  if (inWord) out.push(w);
  return out;
}

export interface DockerHostHarness {
  readonly scheduler: Scheduler;
  readonly machine: Machine;
  readonly engine: DockerEngine;
  readonly files: MemoryFiles;
  /** Runs a command line on the host's terminal; at most `limit` seconds of simulated time. */
  run(line: string, limit?: number): RunResult;
  /** Runs and fails unless exit 0 with nothing on stderr; returns stdout. */
  ok(line: string): string;
  /** Advances simulated time. */
  sleep(seconds: number): void;
}

export interface HarnessOptions {
  readonly seed?: number;
  readonly engine?: EngineVersion;
  readonly resolvers?: readonly string[];
  readonly embeddedDns?: ExternalResolverStarter;
}

export function dockerHost(options: HarnessOptions = {}): DockerHostHarness {
  const scheduler = new Scheduler();
  const rng = Rng.fromSeed(options.seed ?? 1);
  const deps = { scheduler, rng: rng.fork('world'), trace: new TraceBus() };
  const machine = new Machine(deps, 'docker-host', { hostname: 'docker-host' });
  const files = new MemoryFiles({
    '/etc/hostname': 'docker-host\n',
    '/etc/hosts': '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n',
  });
  if (options.resolvers) files.write('/etc/resolv.conf', options.resolvers.map((r) => `nameserver ${r}\n`).join(''));
  const registry = new ProgramRegistry<NetworkNamespace, Machine>();
  registerBasicPrograms(registry);
  registerIproute2(registry);
  registerIptables(registry);
  registerNetTools(registry);
  const engine = installDockerHost({
    machine,
    files,
    registry,
    rng: rng.fork('docker:docker-host'),
    start: parseRfc3339(TUTORIAL_START)!,
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.embeddedDns ? { embeddedDns: options.embeddedDns } : {}),
  });
  let n = 0;
  const run = (line: string, limit = 60): RunResult => {
    const argv = words(line);
    const program = registry.lookup(argv[0]!);
    if (program === undefined) throw new Error(`no program ${argv[0]}`);
    let stdout = '';
    let stderr = '';
    let code: number | undefined;
    const handle = program(argv, {
      scheduler,
      rng: rng.fork(`process:${n++}`),
      ns: machine.root,
      machine,
      files,
      hostname: machine.hostname,
      programs: registry,
    }, {
      stdout: (t) => { stdout += t; },
      stderr: (t) => { stderr += t; },
    }, (c) => { code ??= c; });
    const deadline = scheduler.now + sec(limit);
    while (code === undefined && scheduler.now <= deadline) {
      if (!scheduler.step()) break;
    }
    if (code === undefined) {
      handle?.kill();
      throw new Error(`${line}: did not exit within ${limit} s`);
    }
    return { stdout, stderr, code };
  };
  return {
    scheduler, machine, engine, files, run,
    ok(line) {
      const r = run(line);
      if (r.code !== 0 || r.stderr !== '') throw new Error(`${line}: exit ${r.code}\n${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    sleep(seconds) {
      scheduler.run({ until: scheduler.now + sec(seconds) });
    },
  };
}
