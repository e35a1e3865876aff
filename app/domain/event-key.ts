import { createHash } from "node:crypto";

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
 * The identity of a gateway event: a 64-bit hash of its canonical fields, independent of the format
 * and of the file it came in, so a re-import (or a re-push) stores nothing twice. Two requests
 * identical in every field within the same millisecond count as one: the price of dedupe without ids.
 */
export function eventKey(e: KeyedEventFields): bigint {
  const h = createHash("sha256")
    .update(`${e.ts}\u0001${e.requestId ?? ""}\u0001${e.keyRef ?? ""}\u0001${e.srcIp ?? ""}\u0001${e.method}\u0001${e.path}\u0001${e.status}\u0001${e.bytes ?? ""}\u0001${e.userAgent ?? ""}\u0001${e.latencyMs ?? ""}`)
    .digest();
  return h.readBigInt64BE(0);
}
