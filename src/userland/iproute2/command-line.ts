/**
 * Argument handling shared by `ip`, `bridge` and `brctl`, with iproute2's conventions
 * (include/utils.h, lib/utils.c):
 *   - keywords may be abbreviated: `matches(word, keyword)` holds when `word` is a prefix of
 *     `keyword` (`ip a` is `ip address`, `ip li sh` is `ip link show`); where iproute2 uses
 *     strcmp instead, callers compare exactly;
 *   - NEXT_ARG: a keyword that needs a value and has none is "Command line is not complete";
 *   - the complaints of invarg, duparg, duparg2 and missarg, word for word.
 *
 * Every complaint about the command line is a UsageError (userland/usage-error.ts): a
 * scenario step with a malformed command is an invalid scenario.
 */
import { UsageError } from '../usage-error';
import { formatMac, type Mac } from '../../wire';

/** iproute2's matches(): `word` is a non-empty prefix of `keyword`. */
export function matches(word: string, keyword: string): boolean {
  return word.length > 0 && word.length <= keyword.length && keyword.startsWith(word);
}

/** A cursor over the remaining words, with NEXT_ARG semantics. */
export class Args {
  #i = 0;

  /**
   * `incomplete` is the tool's complaint when a keyword has no value: iproute2's by default;
   * busybox's ip says it in other words.
   */
  constructor(readonly words: readonly string[], readonly incomplete: () => never = incompleteCommand) {}

  get done(): boolean {
    return this.#i >= this.words.length;
  }

  /** The current word (check `done` first). */
  get word(): string {
    return this.words[this.#i]!;
  }

  /** How many words are left, the current one included. */
  get left(): number {
    return this.words.length - this.#i;
  }

  /** The words from the current one on. */
  rest(): string[] {
    return this.words.slice(this.#i);
  }

  advance(): void {
    this.#i++;
  }

  /** NEXT_ARG: moves to the keyword's value; with none left, the tool's "not complete" complaint. */
  value(): string {
    this.#i++;
    if (this.#i >= this.words.length) this.incomplete();
    return this.words[this.#i]!;
  }
}

export function incompleteCommand(): never {
  throw new UsageError('Command line is not complete. Try option "help"');
}

/** invarg(msg, arg). (iproute2's messages often end in their own newline; a UsageError is one line.) */
export function invarg(msg: string, arg: string): never {
  throw new UsageError(`Error: argument "${arg}" is wrong: ${msg.replace(/\n+$/, '')}`);
}

export function duparg(key: string, arg: string): never {
  throw new UsageError(`Error: duplicate "${key}": "${arg}" is the second value.`);
}

export function duparg2(key: string, arg: string): never {
  throw new UsageError(`Error: either "${key}" is duplicate, or "${arg}" is a garbage.`);
}

export function missarg(key: string): never {
  throw new UsageError(`Error: argument "${key}" is required`);
}

/** check_ifname (dev_valid_name): shorter than IFNAMSIZ, no '/', no whitespace. */
export function validIfname(name: string): boolean {
  return name.length > 0 && name.length < 16 && !/[/\s]/.test(name);
}

/** get_unsigned / get_integer with base 0: decimal, 0x hex, 0 octal. */
export function parseCInteger(text: string): number | undefined {
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text, 16);
  if (/^[+-]?0[0-7]+$/.test(text)) return parseInt(text, 8);
  if (/^[+-]?\d+$/.test(text)) return parseInt(text, 10);
  return undefined;
}

/** ll_addr_a2n for Ethernet: six hex octets separated by ':' (iproute2 also accepts '.'-less forms it never prints). */
export function parseLladdr(text: string): Mac | undefined {
  const m = /^([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})$/.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

export { formatMac };
