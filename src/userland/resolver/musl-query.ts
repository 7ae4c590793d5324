/**
 * A DNS query as musl's res_mkquery builds it: a 12-byte header (RD and AD set, one question),
 * the name's labels copied byte for byte (no escapes, no compression), QTYPE and QCLASS IN.
 *
 * musl refuses (returns -1 for) a name with two trailing dots, an empty or over-long label, a
 * name longer than 253 octets, or a type above 255; so does this function (undefined).
 * getaddrinfo and getnameinfo clear the AD flag again before sending ("don't need AD flag");
 * busybox nslookup sends res_mkquery's bytes as they are, AD included.
 */
const utf8 = new TextEncoder();

/** Header flag bytes of a musl query: RD in byte 2; AD in byte 3 unless cleared. */
export const MUSL_QUERY_FLAGS = {
  rd: 0x01,
  ad: 0x20,
};

export function buildMuslQuery(name: string, type: number, id: number, withAdFlag: boolean): Uint8Array | undefined {
  let text = name;
  if (text.endsWith('.')) text = text.slice(0, -1);
  if (text.endsWith('.')) return undefined;
  const bytes = utf8.encode(text);
  if (bytes.length > 253 || type < 0 || type > 255) return undefined;
  const n = 17 + bytes.length + (bytes.length > 0 ? 1 : 0);
  const q = new Uint8Array(n);
  q[0] = (id >>> 8) & 0xff;
  q[1] = id & 0xff;
  q[2] = MUSL_QUERY_FLAGS.rd;
  q[3] = withAdFlag ? MUSL_QUERY_FLAGS.ad : 0;
  q[5] = 1;
  if (bytes.length > 0) {
    // Labels: a length octet before each run of non-dot bytes (q[12] is the first one).
    let lenAt = 12;
    let run = 0;
    for (let k = 0; k < bytes.length; k++) {
      const b = bytes[k]!;
      if (b === 0x2e) {
        if (run === 0 || run > 63) return undefined;
        q[lenAt] = run;
        lenAt = 13 + k;
        run = 0;
      } else {
        q[13 + k] = b;
        run++;
      }
    }
    if (run === 0 || run > 63) return undefined;
    q[lenAt] = run;
  }
  const end = n - 4;
  q[end + 1] = type;
  q[end + 3] = 1; // QCLASS IN
  return q;
}

/** The 16-bit ID of a message. */
export function messageId(b: Uint8Array): number {
  return ((b[0]! << 8) | b[1]!) >>> 0;
}

/** RCODE of a message (the low 4 bits of byte 3). */
export function messageRcode(b: Uint8Array): number {
  return b[3]! & 0x0f;
}
