/**
 * How `iptables` (1.8.4, legacy backend) fails, as text and exit status:
 *
 * - PARAMETER_PROBLEM (exit 2): `iptables v1.8.4 (legacy): MESSAGE` then
 *   "Try `iptables -h' or 'iptables --help' for more information." (xtables_error →
 *   exit_tryhelp). Messages that end in "\n" in the source leave an empty line before "Try".
 * - VERSION_PROBLEM (exit 3): the message, then "Perhaps iptables or your kernel needs to be
 *   upgraded." (an unknown table).
 * - a libiptc failure (exit 1): `iptables: MESSAGE.`, with " Run `dmesg' for more information."
 *   for EINVAL (iptables-standalone.c).
 *
 * Version choice: the default engine profile is Docker 19.03, whose typical host is Ubuntu
 * 20.04 (docker.io 19.03.8) with iptables 1.8.4 and the legacy backend selected, so the program
 * calls itself "iptables v1.8.4 (legacy)".
 */

export const IPTABLES_PROGRAM = 'iptables';
export const IPTABLES_VERSION = '1.8.4 (legacy)';

export const XtablesExit = {
  OTHER_PROBLEM: 1,
  PARAMETER_PROBLEM: 2,
  VERSION_PROBLEM: 3,
} as const;

export class IptablesProblem extends Error {
  override readonly name = 'IptablesProblem';
  constructor(
    /** The tool's complaint (what follows "iptables v1.8.4 (legacy): "). */
    readonly complaint: string,
    /** Everything the tool writes to stderr. */
    readonly stderr: string,
    readonly exitCode: number,
    /**
     * True when the command line alone is wrong (an unknown option, a malformed value), which
     * a scenario treats as an invalid step; false when the state decided (a missing chain).
     */
    readonly syntax: boolean,
  ) {
    super(complaint);
  }
}

const TRY_HELP = `Try \`${IPTABLES_PROGRAM} -h' or '${IPTABLES_PROGRAM} --help' for more information.\n`;

/** xtables_error(PARAMETER_PROBLEM, …). */
export function parameterProblem(message: string, syntax = true): IptablesProblem {
  return new IptablesProblem(message.replace(/\n+$/, ''), `${IPTABLES_PROGRAM} v${IPTABLES_VERSION}: ${message}\n${TRY_HELP}`, XtablesExit.PARAMETER_PROBLEM, syntax);
}

/** A message printed without the program prefix, then exit_tryhelp(2) ("Bad argument `x'"). */
export function bareProblem(message: string): IptablesProblem {
  return new IptablesProblem(message, `${message}\n${TRY_HELP}`, XtablesExit.PARAMETER_PROBLEM, true);
}

/** xtables_error(VERSION_PROBLEM, …). */
export function versionProblem(message: string): IptablesProblem {
  return new IptablesProblem(message, `${IPTABLES_PROGRAM} v${IPTABLES_VERSION}: ${message}\nPerhaps iptables or your kernel needs to be upgraded.\n`, XtablesExit.VERSION_PROBLEM, false);
}
