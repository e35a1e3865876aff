export type KeyedEventFields = {
  ts: number;
  requestId?: string | null;
  keyRef?: string | null;
  srcIp?: string | null;
  method: string;
  path: string;
  status: number;
  bytes?: number | null;
  userAgent?: string | null;
  latencyMs?: number | null;
};

/**
 * The identity of a gateway event within its millisecond: a 53-bit hash (cyrb53) of its canonical
 * fields, independent of the format and of the file it came in. Events are unique on (ts, eventKey),
 * so a re-import or a re-push stores nothing twice; a collision would need two different requests in
 * the same millisecond with the same 53-bit hash. Two requests identical in every field within the same
 * millisecond count as one: the price of dedupe without request ids.
 */
export function eventKey(e: KeyedEventFields): number {
  return eventKeyOf(e.requestId, e.keyRef, e.srcIp, e.method, e.path, e.status, e.bytes, e.userAgent, e.latencyMs);
}

/**
 * eventKey() from the fields one by one: cyrb53 over the fields joined by U+0001 (absent: empty), fed
 * field by field rather than through one joined string (no string built per event). The result is
 * that of hashing the joined string, which stored keys were made with: tests/unit/event-key.test.ts.
 */
export function eventKeyOf(requestId: string | null | undefined, keyRef: string | null | undefined, srcIp: string | null | undefined, method: string, path: string, status: number, bytes: number | null | undefined, userAgent: string | null | undefined, latencyMs: number | null | undefined): number {
  const h = H;
  h.a = 0xdeadbeef;
  h.b = 0x41c6ce57;
  feed(h, requestId ?? "");
  feed(h, keyRef ?? "", true);
  feed(h, srcIp ?? "", true);
  feed(h, method, true);
  feed(h, path, true);
  feed(h, String(status), true);
  feed(h, bytes == null ? "" : String(bytes), true);
  feed(h, userAgent ?? "", true);
  feed(h, latencyMs == null ? "" : String(latencyMs), true);
  let h1 = h.a;
  let h2 = h.b;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** cyrb53's running state (public domain: a fast, well-mixed 53-bit string hash; not cryptographic, and need not be). */
const H = { a: 0, b: 0 };

/** Feeds `s` (after the U+0001 separator when `sep`) into the running cyrb53 state. */
function feed(h: { a: number; b: number }, s: string, sep = false) {
  let h1 = h.a;
  let h2 = h.b;
  if (sep) {
    h1 = Math.imul(h1 ^ 1, 2654435761);
    h2 = Math.imul(h2 ^ 1, 1597334677);
  }
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h.a = h1;
  h.b = h2;
}
