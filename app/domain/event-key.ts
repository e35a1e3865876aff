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

/** eventKey() from the fields one by one (the import computes it from a batch's columns). */
export function eventKeyOf(requestId: string | null | undefined, keyRef: string | null | undefined, srcIp: string | null | undefined, method: string, path: string, status: number, bytes: number | null | undefined, userAgent: string | null | undefined, latencyMs: number | null | undefined): number {
  return cyrb53(`${requestId ?? ""}\u0001${keyRef ?? ""}\u0001${srcIp ?? ""}\u0001${method}\u0001${path}\u0001${status}\u0001${bytes ?? ""}\u0001${userAgent ?? ""}\u0001${latencyMs ?? ""}`);
}

/** cyrb53 (public domain): a fast, well-mixed 53-bit string hash; not cryptographic, and need not be. */
function cyrb53(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
