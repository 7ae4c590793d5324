/**
 * musl's res_msend (src/network/res_msend.c): several queries at once over one UDP socket,
 * every query to every nameserver in parallel, resent to all of them every
 * `timeout / attempts` seconds until each query has an answer or `timeout` seconds have
 * passed.
 *
 * What musl accepts, and so this:
 * - only datagrams from a nameserver's address and port 53, at least 4 bytes long, whose ID
 *   is that of a query still without an answer;
 * - NOERROR and NXDOMAIN answers; a SERVFAIL makes musl resend that query to the server that
 *   failed at once (at most 2 × queries times per round) and wait on; any other RCODE
 *   (REFUSED, …) is ignored and the wait goes on;
 * - errors from sendto (no route) are ignored: the wait simply runs out.
 *
 * Time is musl's mtime(): whole milliseconds of the monotonic clock.
 *
 * Heads up: the socket is unconnected, so an ICMP port unreachable from a nameserver with no
 * DNS service is not reported: the query times out, as it does in a real alpine container.
 * A truncated (TC) answer is accepted as it is (musl ≥ 1.2.4 would retry over TCP, which
 * cnmlab does not emulate).
 */
import { DNS_PORT, type Ipv4 } from '../../wire';
import type { NetworkNamespace, UdpSocket } from '../../stack';
import type { Scheduler, EventId } from '../../sim';
import { messageId, messageRcode } from './musl-query';

export interface MsendConfig {
  readonly nameservers: readonly Ipv4[];
  /** Seconds. */
  readonly timeout: number;
  readonly attempts: number;
}

/** Something a process can stop early (its kill). */
export interface Cancellable {
  cancel(): void;
}

const NS_PER_MS = 1_000_000;

/**
 * Sends `queries` and calls `done` with one answer per query (undefined where none came).
 * `done` is called exactly once unless cancelled first: later in simulated time, or at once
 * when `timeout` is 0 (musl's loop then never runs and nothing is sent).
 */
export function resMsend(
  ns: NetworkNamespace,
  scheduler: Scheduler,
  queries: readonly Uint8Array[],
  conf: MsendConfig,
  done: (answers: (Uint8Array | undefined)[]) => void,
): Cancellable {
  const answers: (Uint8Array | undefined)[] = queries.map(() => undefined);
  const timeout = conf.timeout * 1000;
  const retryInterval = Math.floor(timeout / conf.attempts);
  const mtime = (): number => Math.floor(scheduler.now / NS_PER_MS);
  const t0 = mtime();
  let t1 = t0 - retryInterval;
  let servfailRetry = 0;
  let wake: EventId | undefined;
  let finished = false;
  let socket: UdpSocket | undefined;
  try {
    socket = ns.udp.bind(0);
  } catch {
    socket = undefined; // no free port: every query times out
  }

  const send = (i: number, server: Ipv4): void => {
    try {
      socket?.send(server, DNS_PORT, queries[i]!);
    } catch {
      // sendto's error is ignored (MSG_NOSIGNAL, no check): the answer just never comes.
    }
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (wake !== undefined) scheduler.cancel(wake);
    socket?.close();
    done(answers);
  };

  /** One turn of musl's `for (; t2-t0 < timeout; t2=mtime())` loop, ending in poll. */
  const loop = (): void => {
    wake = undefined;
    if (finished) return;
    const t2 = mtime();
    if (t2 - t0 >= timeout || answers.every((a) => a !== undefined)) {
      finish();
      return;
    }
    if (t2 - t1 >= retryInterval) {
      for (let i = 0; i < queries.length; i++) {
        if (answers[i] !== undefined) continue;
        for (const server of conf.nameservers) send(i, server);
      }
      t1 = t2;
      servfailRetry = 2 * queries.length;
    }
    // poll(…, t1 + retry_interval - t2): wake then, or earlier when a datagram arrives.
    wake = scheduler.schedule((t1 + retryInterval - t2) * NS_PER_MS, loop);
  };

  socket?.onMessage((payload, srcIp, srcPort) => {
    if (finished) return;
    if (payload.length < 4) return;
    if (srcPort !== DNS_PORT || !conf.nameservers.includes(srcIp)) return;
    const id = messageId(payload);
    const i = queries.findIndex((q, k) => messageId(q) === id && answers[k] === undefined);
    if (i < 0) return;
    switch (messageRcode(payload)) {
      case 0:
      case 3:
        answers[i] = payload.slice();
        break;
      case 2:
        if (servfailRetry > 0) {
          servfailRetry--;
          send(i, srcIp);
        }
        return;
      default:
        return;
    }
    // The datagram ended poll early: run the loop again now (it finishes when all are in).
    if (wake !== undefined) scheduler.cancel(wake);
    wake = scheduler.schedule(0, loop);
  });

  // The process is inside one event already; the first sends happen at once.
  loop();
  return {
    cancel: () => {
      if (finished) return;
      finished = true;
      if (wake !== undefined) scheduler.cancel(wake);
      socket?.close();
    },
  };
}
