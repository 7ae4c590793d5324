/** The help texts of `cnmlab`: every option the command line accepts is documented here. */

const EXIT_STATUS = `Exit status:
  0  every expectation held
  1  an expectation failed (or a process had to be killed, or the run was stopped)
  2  a scenario is invalid (one line: file:line:col: what is wrong), or the
     command line is wrong
  3  the emulator itself failed: a bug, reported with a stack trace
`;

export const MAIN_HELP = `cnmlab: a packet-level, deterministic emulator of Docker container networking

Usage:
  cnmlab run SCENARIO.yaml [MORE.yaml ...] [options]
                          run scenarios: print what a terminal would show,
                          check the expectations, write a capture of every link
  cnmlab validate SCENARIO.yaml [MORE.yaml ...]
                          check scenarios without running them
  cnmlab bench [WORKLOAD ...] [--captures] [--json] [--size small|full]
                          run the benchmark workloads (BENCH.md)
  cnmlab --help           show this help (also: cnmlab help [COMMAND])
  cnmlab --version        print the version

Run 'cnmlab run --help' for the options of run.

${EXIT_STATUS}`;

export const RUN_HELP = `Usage: cnmlab run SCENARIO.yaml [MORE.yaml ...] [options]

Runs each scenario in simulated time and prints its transcript: a first line
"name: description", each step as "machine$ command" followed by its output,
every failed expectation on a line starting with FAIL and its file:line:col,
then the summary "N passed, N failed (simulated S s, wall W s)" and the
capture folder. Several scenarios run one after the other.

Options:
  --captures DIR   write captures under DIR/<scenario name>/ (default: captures)
  --no-captures    write no captures (the fastest way to run)
  --seed N         use seed N (an integer from 0 to 9007199254740991) instead of
                   the scenario's own seed
  --json           print one JSON document instead of transcripts: for each
                   scenario its steps (command, argv, stdout, stderr, exit status,
                   expectations), link statistics and capture files
  --quiet          print only failed steps and the summary (ignored with --json)
  -h, --help       show this help

Captures, in DIR/<scenario name>/:
  <link>.pcap      one classic pcap per link (nanosecond timestamps from the
                   scenario's start), e.g. lan1.node1.eth0.pcap for the LAN port
                   of node1's eth0
  all.pcapng       every link, one interface per link named "machine:ifname",
                   with packet comments that explain what devices decided
  manifest.json    each file's link ends, frames, bytes, first and last timestamp

On a terminal, a progress line (simulated time, events per second) shows on
stderr while a run takes longer than a second.

${EXIT_STATUS}`;

export const VALIDATE_HELP = `Usage: cnmlab validate SCENARIO.yaml [MORE.yaml ...]

Loads each scenario and checks it without running it: the YAML, every key and
value, the references between hosts, routers and LANs, and that every step names
a command its machine knows. Prints "FILE: ok (…)" for a good file and one line
"file:line:col: what is wrong" on stderr for a bad one.

Options:
  -h, --help       show this help

Exit status:
  0  every scenario is valid
  2  a scenario is invalid, or the command line is wrong
  3  the emulator itself failed (a bug, with a stack trace)
`;

export const BENCH_HELP = `Usage: cnmlab bench [WORKLOAD ...] [--captures] [--json] [--size small|full]

Runs the benchmark workloads of BENCH.md (all of them, or the ones named) and
prints one line of figures per workload: datagrams delivered and checked, wall
seconds, datagrams, device hops, router hops and scheduler events per wall
second, simulated seconds, peak RSS, captures on or off.

Workloads:
  W0 scheduler-hold     the scheduler alone (hold model, 100,000 pending events)
  W1 bridge-fanout      16 namespaces on one learning bridge
  W2 overlay-pair       2 hosts, bridge + VXLAN endpoint + 8 containers each
  W3 router-chain       host - 8 routers - host
  W3-10k router-chain-10k   the same with 10,000 extra routes per router

Options:
  --captures            tap every link into a pcap writer (bytes counted, not written)
  --json                one JSON object per workload instead of a line of text
  --size small|full     full: BENCH.md's sizes (default); small: about 1 %

Exit status:
  0  every workload delivered every datagram intact
  1  a workload's self-check failed (the error says which datagram)
  2  the command line is wrong
`;
