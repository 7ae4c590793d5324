/**
 * The images a cnmlab Docker host has (SCENARIOS.md "Built-in images"): no registry, no
 * layers; an image is what its containers run by default and what it listens on. A scenario's
 * `images:` adds more (or overrides a built-in one).
 *
 * References are normalised the way the Docker CLI shows them: `alpine`, `alpine:latest`,
 * `library/alpine` and `docker.io/library/alpine:latest` all name the image `alpine`; any tag is
 * accepted and kept as the user typed it for `docker ps` (the IMAGE column repeats the
 * reference as given).
 */
import type { Rng } from '../../sim';

/** What an image declares it listens on (`tcp/8080 http`). */
export interface ImageListen {
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  readonly app: string;
}

export interface Image {
  /** Repository name without registry or tag ("alpine", "traefik/whoami"). */
  readonly name: string;
  /** "sha256:" + 64 hex digits (drawn from the engine's stream per image name). */
  readonly id: string;
  /** Config.Entrypoint (null when the image has none). */
  readonly entrypoint: readonly string[] | null;
  /** Config.Cmd. */
  readonly cmd: readonly string[] | null;
  /** Config.Env. */
  readonly env: readonly string[];
  readonly listen: readonly ImageListen[];
  /** Which `ip` the image's PATH finds (see ImageIpTool). */
  readonly ipTool: ImageIpTool;
}

/**
 * The `ip` a container runs: busybox's applet in alpine and busybox (busybox prints the
 * iproute2 format of around 2005: no "group default", "@ifN" with ",M-DOWN"), iproute2's in
 * cnmlab's debian and ubuntu (the real images ship no `ip` at all; cnmlab gives them
 * iproute2's, which `apt-get install iproute2` would).
 */
export type ImageIpTool = 'busybox' | 'iproute2';

/** PATH of the official Linux images (alpine, busybox, debian, ubuntu). */
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The images every host has; their default commands are those of the official images. */
export const BUILTIN_IMAGES: readonly Omit<Image, 'id'>[] = [
  { name: 'alpine', entrypoint: null, cmd: ['/bin/sh'], env: [DEFAULT_PATH], listen: [], ipTool: 'busybox' },
  { name: 'busybox', entrypoint: null, cmd: ['sh'], env: [DEFAULT_PATH], listen: [], ipTool: 'busybox' },
  { name: 'debian', entrypoint: null, cmd: ['bash'], env: [DEFAULT_PATH], listen: [], ipTool: 'iproute2' },
  { name: 'ubuntu', entrypoint: null, cmd: ['/bin/bash'], env: [DEFAULT_PATH], listen: [], ipTool: 'iproute2' },
];

/** A reference as given, split: `docker.io/library/alpine:3.12` → name "alpine", tag "3.12". */
export interface ImageReference {
  readonly name: string;
  readonly tag: string;
  /** What `docker ps` shows in IMAGE: the reference as typed. */
  readonly given: string;
}

export function parseImageReference(given: string): ImageReference {
  let rest = given;
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  for (const prefix of ['docker.io/', 'index.docker.io/']) if (rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  if (rest.startsWith('library/')) rest = rest.slice('library/'.length);
  return { name: rest, tag, given };
}

/** The image store of one host. */
export class ImageStore {
  readonly #images = new Map<string, Image>();

  constructor(rng: Rng, declared: readonly { readonly name: string; readonly listen: readonly ImageListen[] }[] = []) {
    for (const b of BUILTIN_IMAGES) this.#images.set(b.name, { ...b, id: `sha256:${rng.fork(`image:${b.name}`).hex(64)}` });
    for (const d of declared) {
      const ref = parseImageReference(d.name);
      const base = this.#images.get(ref.name);
      // A declared image runs like alpine unless it overrides a built-in one.
      this.#images.set(ref.name, {
        name: ref.name,
        id: `sha256:${rng.fork(`image:${ref.name}`).hex(64)}`,
        entrypoint: base?.entrypoint ?? null,
        cmd: base?.cmd ?? ['/bin/sh'],
        env: base?.env ?? [DEFAULT_PATH],
        listen: d.listen,
        ipTool: base?.ipTool ?? 'busybox',
      });
    }
  }

  get(reference: string): Image | undefined {
    return this.#images.get(parseImageReference(reference).name);
  }

  names(): string[] {
    return [...this.#images.keys()].sort();
  }
}
