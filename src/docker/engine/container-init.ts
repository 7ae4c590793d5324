/**
 * A container's main process (PID 1): its command line, run in the container's namespace.
 *
 * Most commands are userland programs (sleep, ping, nc, …) started through the ContainerHost.
 * What a few commands do as PID 1 depends only on whether the container has a stdin, so the
 * engine decides it here, as the real programs would:
 *
 * - a shell (`sh`, `ash`, `bash`, with or without `/bin/`) with no script reads commands from
 *   stdin: with `-i` (OpenStdin) it waits forever, the classic `docker run -dit alpine ash`;
 *   without, stdin is at end of file at once and the shell exits 0, which is why
 *   `docker run -d alpine` ends up Exited (0). `sh -c 'CMD ARGS'` runs one simple command.
 *   `sh FILE` fails as busybox does (no file system to read scripts from).
 * - `cat` (no file) and `tail -f` (any file) also wait on input forever / end at once.
 *
 * Heads up: `sh -c` accepts one simple command (words, single and double quotes,
 * backslashes); operators (`;`, `&&`, `|`, redirections) are refused with a UsageError, since
 * cnmlab has no shell to run them.
 */
import { UsageError } from '../../userland';
import type { ProcessHandle, ProgramIo } from '../../userland';
import type { ContainerHost, ProcessContext, StartResult } from './container-host';

const SHELLS = new Set(['sh', 'ash', 'bash', 'dash']);

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** A process that waits until it is killed. */
function waitForever(): ProcessHandle {
  return { kill() {} };
}

/** Splits the text of `sh -c` into words; refuses shell operators. */
export function splitSimpleCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UsageError('sh -c: unterminated quoted string');
      word += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) j++;
        word += text[j]!;
      }
      if (j >= text.length) throw new UsageError('sh -c: unterminated quoted string');
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i]!;
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (';&|<>()`$'.includes(c)) {
      throw new UsageError(`sh -c: cnmlab runs one simple command per "sh -c", not shell syntax ("${c}" in ${JSON.stringify(text)})`);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Starts `argv` as PID 1 (or as an exec'd process) in `ctx`. `openStdin`: the process has a
 * stdin that stays open (`-i`).
 */
export function startContainerProcess(
  host: ContainerHost,
  ctx: ProcessContext,
  argv: readonly string[],
  openStdin: boolean,
  io: ProgramIo,
  exit: (code: number) => void,
): StartResult {
  const name = baseName(argv[0] ?? '');
  if (SHELLS.has(name)) {
    const args = argv.slice(1);
    const flags = args.filter((a) => a.startsWith('-') && a !== '-c');
    const c = args.indexOf('-c');
    if (c >= 0) {
      const text = args[c + 1];
      if (text === undefined) {
        io.stderr(`${name}: -c requires an argument\n`);
        exit(2);
        return { started: true, handle: undefined };
      }
      const words = splitSimpleCommand(text);
      if (words.length === 0) {
        exit(0);
        return { started: true, handle: undefined };
      }
      const r = startContainerProcess(host, ctx, words, openStdin, io, exit);
      if (!r.started) {
        // busybox ash: "sh: foo: not found", status 127.
        io.stderr(`${name}: ${words[0]!}: not found\n`);
        exit(127);
        return { started: true, handle: undefined };
      }
      return r;
    }
    const script = args.find((a) => !a.startsWith('-'));
    if (script !== undefined) {
      io.stderr(`${name}: can't open '${script}': No such file or directory\n`);
      exit(2);
      return { started: true, handle: undefined };
    }
    if (flags.some((f) => f !== '-i' && f !== '-l' && f !== '-s')) {
      throw new UsageError(`${name}: cnmlab's shells accept -c, -i, -l and -s only`);
    }
    if (openStdin) return { started: true, handle: waitForever() };
    exit(0);
    return { started: true, handle: undefined };
  }
  if (name === 'cat' && argv.length === 1) {
    if (openStdin) return { started: true, handle: waitForever() };
    exit(0);
    return { started: true, handle: undefined };
  }
  if (name === 'tail' && argv.includes('-f')) return { started: true, handle: waitForever() };
  return host.startProcess(ctx, argv, io, exit);
}
