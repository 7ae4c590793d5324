/**
 * The validated model of a scenario file (SCENARIOS.md "File format"): what loadScenarioText
 * returns and what the world builder and the step runner consume. Everything here has been
 * checked: names are valid and unique, references resolve, addresses parse, units are converted
 * (durations to integer nanoseconds, rates to bits per second, loss to percent).
 *
 * Absent optional values stay absent (`undefined`), so a consumer can tell "not written" from
 * "written as the default"; SCENARIO_DEFAULTS and resolveLinkParams supply the defaults.
 */
import type { Ipv4, Ipv4Prefix } from '../wire';
import type { SourcePos } from './scenario-error';
import type { Nanos } from '../sim';

/** Docker Engine behaviour profiles (DESIGN.md "Engine profiles"). */
export type EngineProfile = '19.03' | '29';
export const ENGINE_PROFILES: readonly EngineProfile[] = ['19.03', '29'];

/**
 * Link parameters, as written. They apply to a veth pair or to a LAN port (each direction of a
 * link gets the same values). Layers override each other: built-in defaults < top-level `links:`
 * < a LAN's own values < an interface's own values (see resolveLinkParams).
 */
export interface LinkParams {
  /** One-way propagation delay. */
  readonly delay?: Nanos;
  /** Random variation added to `delay`, uniformly in ±jitter. */
  readonly jitter?: Nanos;
  /** Transmission rate in bits per second; absent means no rate limit. */
  readonly rate?: number;
  /** Chance of dropping each frame, in percent (0–100). */
  readonly loss?: number;
  /** Largest IP packet (Ethernet payload) the link carries, in bytes. */
  readonly mtu?: number;
}

/** A physical L2 segment: one learning switch, one port per attached interface. */
export interface Lan {
  readonly name: string;
  /** Parameters of every port of this LAN (an interface may override them for its own port). */
  readonly params: LinkParams;
  readonly pos: SourcePos;
}

/** A NIC of a host or router, plugged into a LAN port. */
export interface IfaceSpec {
  readonly name: string;
  /** Name of the LAN (always one that exists in Scenario.lans). */
  readonly lan: string;
  /** The interface address with its prefix length ("192.168.1.10/24"); host bits are set. */
  readonly address: Ipv4Prefix;
  /** The NIC's MTU; absent: the port's resolved `mtu`. */
  readonly mtu?: number;
  /** This interface's own port parameters (delay, jitter, rate, loss; never mtu, see above). */
  readonly params: LinkParams;
  readonly pos: SourcePos;
}

/** A static route: "10.50.0.0/16 via 192.168.2.254" or "default via 192.168.1.1". */
export interface RouteSpec {
  /** Destination prefix with no host bits set; `default` is 0.0.0.0/0. */
  readonly dst: Ipv4Prefix;
  /** Next hop; always inside the prefix of one of the router's interfaces. */
  readonly via: Ipv4;
  readonly pos: SourcePos;
}

/** A plain IPv4 router (no Docker) joining LANs. It forwards between its interfaces. */
export interface Router {
  readonly name: string;
  readonly interfaces: ReadonlyMap<string, IfaceSpec>;
  readonly routes: readonly RouteSpec[];
  readonly pos: SourcePos;
}

/** A machine. It runs a Docker Engine unless `docker` is false. */
export interface Host {
  readonly name: string;
  readonly docker: boolean;
  /** Its NICs; the one-NIC shorthand `{ lan, address }` is `eth0`. May be empty (a laptop). */
  readonly interfaces: ReadonlyMap<string, IfaceSpec>;
  /** Default gateway; always inside the prefix of one of the host's interfaces. */
  readonly gateway?: Ipv4;
  /** DNS servers for the host's /etc/resolv.conf, in order. */
  readonly resolvers?: readonly Ipv4[];
  readonly pos: SourcePos;
}

/** What a container of this image listens on: "tcp/8080 http" → { proto: 'tcp', port: 8080, app: 'http' }. */
export interface ListenSpec {
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  /** The emulated application that answers (a name such as "http"; the docker layer checks it). */
  readonly app: string;
}

/** An image declared under `images:` (it may also override a built-in image of the same name). */
export interface ImageSpec {
  readonly name: string;
  readonly listen: readonly ListenSpec[];
  readonly pos: SourcePos;
}

/**
 * One expectation on a step's output: a substring, or a regular expression written "/…/" or
 * "/…/flags" (flags i, m, s, u). `source` is what the file said, for failure messages.
 */
export type Matcher =
  | { readonly text: string; readonly source: string; readonly pos: SourcePos }
  | { readonly regex: RegExp; readonly source: string; readonly pos: SourcePos };

/** A step's `expect:`. Every listed matcher must hold; any failure fails the step. */
export interface Expect {
  /** Exit status the command must have (0–255). */
  readonly exit?: number;
  /** Each must match stdout. */
  readonly stdout: readonly Matcher[];
  /** None may match stdout. */
  readonly notStdout: readonly Matcher[];
  readonly stderr: readonly Matcher[];
  readonly notStderr: readonly Matcher[];
  readonly pos: SourcePos;
}

/** A command typed at a terminal. */
export interface RunStep {
  readonly kind: 'run';
  /**
   * The host or router whose terminal runs it. Always set: a step without `on:` (and a bare
   * string step) runs on the first host of the file, and the loader fills that in.
   */
  readonly on: string;
  /** The command line as written; split with splitCommand at run time, once variables are known. */
  readonly run: string;
  readonly expect?: Expect;
  /**
   * Variables to set from this step's stdout: name → regex whose first capture group is the value.
   * Each regex has at least one capture group.
   */
  readonly capture?: ReadonlyMap<string, RegExp>;
  readonly pos: SourcePos;
}

/** Advance simulated time. */
export interface SleepStep {
  readonly kind: 'sleep';
  readonly duration: Nanos;
  readonly pos: SourcePos;
}

export type Step = RunStep | SleepStep;

export interface Scenario {
  /** From `name:`, else the file name without directory and extension. Names the capture folder. */
  readonly name: string;
  readonly description?: string;
  /** The root of every random stream. */
  readonly seed: number;
  /** Wall-clock time at simulated t=0, in nanoseconds since the Unix epoch (UTC). */
  readonly start: bigint;
  readonly engine: EngineProfile;
  /** The top-level `links:` overrides of the built-in link defaults. */
  readonly links: LinkParams;
  /** In file order (Maps keep insertion order), as are routers, hosts and images. */
  readonly lans: ReadonlyMap<string, Lan>;
  readonly routers: ReadonlyMap<string, Router>;
  readonly hosts: ReadonlyMap<string, Host>;
  readonly images: ReadonlyMap<string, ImageSpec>;
  readonly steps: readonly Step[];
  /** The file name the scenario was loaded from, as given to the loader (used in error positions). */
  readonly file: string;
}
