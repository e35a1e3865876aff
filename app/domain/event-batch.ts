// A batch of imported events, column by column: typed arrays plus one string table per batch. That is
// what crosses from the parse worker to the inserting thread cheaply: measured 0.9 µs per event to
// receive, against 13 µs for an array of event objects. Pure: building, aggregating, and turning
// stored rows back into event objects for detection.

import type { DetectionEvent } from "./detection/types";
import { DAY_MS } from "./credential-policy";
import { eventKeyOf } from "./event-key";

/** One event as the parse stage adds it to a batch (the stored row's fields). */
export type BatchInput = {
  ts: number;
  requestId: string | null;
  keyRef: string | null;
  credentialRef: number | null;
  srcIp: string | null;
  asn: number | null;
  country: string | null;
  userAgent: string | null;
  method: string;
  path: string;
  endpoint: string | null;
  model: string | null;
  status: number;
  gatewayError: string | null;
  bytes: number | null;
  latencyMs: number | null;
  tokensIn: number | null;
  tokensOut: number | null;
  /** The secret fields stripped from its line (secret_in_logs), if any. */
  secrets: readonly string[];
};

/** Events of one batch, column by column. Strings are indexes into `strings` (-1: null); numbers are NaN for null. */
export type EventBatch = {
  n: number;
  strings: string[];
  ts: Float64Array;
  status: Float64Array;
  asn: Float64Array;
  bytes: Float64Array;
  latencyMs: Float64Array;
  tokensIn: Float64Array;
  tokensOut: Float64Array;
  credentialRef: Float64Array;
  requestId: Int32Array;
  keyRef: Int32Array;
  srcIp: Int32Array;
  country: Int32Array;
  userAgent: Int32Array;
  method: Int32Array;
  path: Int32Array;
  endpoint: Int32Array;
  model: Int32Array;
  gatewayError: Int32Array;
  /** Row → the secret fields stripped from its line (rare). */
  secrets: [number, readonly string[]][];
};

const NUMBER_COLUMNS = ["ts", "status", "asn", "bytes", "latencyMs", "tokensIn", "tokensOut", "credentialRef"] as const;
const STRING_COLUMNS = ["requestId", "keyRef", "srcIp", "country", "userAgent", "method", "path", "endpoint", "model", "gatewayError"] as const;

/** The typed arrays' buffers, to transfer (not copy) a batch to another thread. */
export function batchBuffers(b: EventBatch): ArrayBuffer[] {
  return [...NUMBER_COLUMNS.map((c) => b[c].buffer as ArrayBuffer), ...STRING_COLUMNS.map((c) => b[c].buffer as ArrayBuffer)];
}

/** Fills columnar batches row by row; repeated strings (key, address, path, user agent…) are stored once per batch. */
export class BatchBuilder {
  private b!: EventBatch;
  private index!: Map<string, number>;
  constructor(private readonly capacity: number) {
    this.reset();
  }
  get n() {
    return this.b.n;
  }
  private reset() {
    const c = this.capacity;
    const num = () => new Float64Array(c);
    const str = () => new Int32Array(c);
    this.b = {
      n: 0,
      strings: [],
      ts: num(),
      status: num(),
      asn: num(),
      bytes: num(),
      latencyMs: num(),
      tokensIn: num(),
      tokensOut: num(),
      credentialRef: num(),
      requestId: str(),
      keyRef: str(),
      srcIp: str(),
      country: str(),
      userAgent: str(),
      method: str(),
      path: str(),
      endpoint: str(),
      model: str(),
      gatewayError: str(),
      secrets: [],
    };
    this.index = new Map();
  }
  private str(s: string | null | undefined): number {
    if (s == null) return -1;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.b.strings.length;
      this.b.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }
  /** A string seldom repeated (request ids): not worth the lookup. */
  private once(s: string | null | undefined): number {
    if (s == null) return -1;
    this.b.strings.push(s);
    return this.b.strings.length - 1;
  }
  add(e: BatchInput) {
    const b = this.b;
    const i = b.n++;
    b.ts[i] = e.ts;
    b.status[i] = e.status;
    b.asn[i] = e.asn ?? NaN;
    b.bytes[i] = e.bytes ?? NaN;
    b.latencyMs[i] = e.latencyMs ?? NaN;
    b.tokensIn[i] = e.tokensIn ?? NaN;
    b.tokensOut[i] = e.tokensOut ?? NaN;
    b.credentialRef[i] = e.credentialRef ?? NaN;
    b.requestId[i] = this.once(e.requestId);
    b.keyRef[i] = this.str(e.keyRef);
    b.srcIp[i] = this.str(e.srcIp);
    b.country[i] = this.str(e.country);
    b.userAgent[i] = this.str(e.userAgent);
    b.method[i] = this.str(e.method);
    b.path[i] = this.str(e.path);
    b.endpoint[i] = this.str(e.endpoint);
    b.model[i] = this.str(e.model);
    b.gatewayError[i] = this.str(e.gatewayError);
    if (e.secrets.length) b.secrets.push([i, e.secrets]);
  }
  /** The filled batch (trimmed to its rows), and a fresh one to fill. */
  take(): EventBatch {
    const b = this.b;
    if (b.n < this.capacity) {
      for (const c of NUMBER_COLUMNS) b[c] = b[c].slice(0, b.n);
      for (const c of STRING_COLUMNS) b[c] = b[c].slice(0, b.n);
    }
    this.reset();
    return b;
  }
}

/**
 * Each row's identity (eventKey()), from its columns. Computed where the batch is inserted rather than as
 * rows are added: the parse worker is the busier of the import's two threads.
 */
export function eventKeysOf(b: EventBatch): Float64Array {
  const keys = new Float64Array(b.n);
  const s = b.strings;
  for (let i = 0; i < b.n; i++) {
    keys[i] = eventKeyOf(stringAt(s, b.requestId[i]), stringAt(s, b.keyRef[i]), stringAt(s, b.srcIp[i]), s[b.method[i]], s[b.path[i]], b.status[i], numberOrNull(b.bytes[i]), stringAt(s, b.userAgent[i]), numberOrNull(b.latencyMs[i]));
  }
  return keys;
}

/** A string column's value: its index in the batch's string table (-1: null). */
export const stringAt = (strings: readonly string[], index: number) => (index < 0 ? null : strings[index]);
/** A number column's value (NaN: null). */
export const numberOrNull = (v: number) => (v !== v ? null : v);
const str = (b: EventBatch, col: Int32Array, i: number) => stringAt(b.strings, col[i]);
/** The credential behind row i, by id. */
const credentialIdAt = (b: EventBatch, i: number, credentialOf: ReadonlyMap<number, string>) => (b.credentialRef[i] !== b.credentialRef[i] ? null : (credentialOf.get(b.credentialRef[i]) ?? null));

/** A stored event as detection sees it: what the rules read, and the import it came with. */
export type StoredEvent = DetectionEvent & { importId: string };

/** A batch's stored events grouped by credential, and their indices in event order. */
export type BatchEvents = { events: StoredEvent[]; order: Int32Array };

/**
 * The stored rows of a batch as event objects (detection's input), with only the fields detection
 * reads. `credentialOf` maps a credential reference back to the credential's id.
 *
 * The events come grouped by credential (groups in order of first appearance, each in event order; the
 * events without a credential last), made in that order: the detection rules that keep state per
 * credential run over a batch grouped that way (detection/engine.ts), and then read the events in the
 * order they lie in memory. `order` lists their indices in event order, for the other rules.
 */
export function batchEvents(b: EventBatch, stored: Uint8Array, importId: string, credentialOf: ReadonlyMap<number, string>): BatchEvents {
  // A counting sort by credential reference: each row's group, then each group's first position.
  const groupOf = new Int32Array(b.n);
  const groupIds = new Map<number, number>();
  const sizes: number[] = [];
  let lastRef = Number.NaN;
  let lastGroup = -1;
  let n = 0;
  for (let i = 0; i < b.n; i++) {
    if (!stored[i]) continue;
    n++;
    const ref = b.credentialRef[i];
    if (ref !== ref) {
      groupOf[i] = -1;
      continue;
    }
    if (ref !== lastRef) {
      let g = groupIds.get(ref);
      if (g === undefined) {
        g = sizes.length;
        groupIds.set(ref, g);
        sizes.push(0);
      }
      lastRef = ref;
      lastGroup = g;
    }
    groupOf[i] = lastGroup;
    sizes[lastGroup]++;
  }
  const next = new Int32Array(sizes.length);
  let at = 0;
  for (let g = 0; g < sizes.length; g++) {
    next[g] = at;
    at += sizes[g];
  }
  let nextNone = at;
  // Where each stored row goes, in event order; then the events, made in their grouped order.
  const order = new Int32Array(n);
  const rowAt = new Int32Array(n);
  for (let i = 0, k = 0; i < b.n; i++) {
    if (!stored[i]) continue;
    const g = groupOf[i];
    const pos = g < 0 ? nextNone++ : next[g]++;
    order[k++] = pos;
    rowAt[pos] = i;
  }
  const secrets = b.secrets.length ? new Map(b.secrets) : null;
  const events: StoredEvent[] = [];
  for (let pos = 0; pos < n; pos++) {
    const i = rowAt[pos];
    const e: StoredEvent = {
      importId,
      ts: b.ts[i],
      keyRef: str(b, b.keyRef, i),
      credentialId: credentialIdAt(b, i, credentialOf),
      srcIp: str(b, b.srcIp, i),
      userAgent: str(b, b.userAgent, i),
      method: b.strings[b.method[i]],
      path: b.strings[b.path[i]],
      endpoint: str(b, b.endpoint, i),
      model: str(b, b.model, i),
      status: b.status[i],
    };
    const s = secrets?.get(i);
    if (s) e.secretsStripped = s;
    events.push(e);
  }
  return { events, order };
}

export type BatchAggregate = {
  firstTs: number;
  lastTs: number;
  /** Per key reference seen, registered or not. */
  keys: { keyRef: string; credentialId: string | null; events: number; successes: number; first: number; last: number }[];
  /** Per credential and UTC day. */
  usage: { credentialId: string; day: string; requests: number; errors: number }[];
  dailyIps: { credentialId: string; day: string; ip: string }[];
  /** The latest use per credential. */
  lastUse: { credentialId: string; at: number; ip: string | null; userAgent: string | null }[];
};

const dayNames = new Map<number, string>();
function dayName(d: number) {
  let s = dayNames.get(d);
  if (!s) {
    s = new Date(d * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size > 10_000) dayNames.clear();
    dayNames.set(d, s);
  }
  return s;
}

/**
 * What a batch's stored events add to the per-import key list, the per-credential daily usage and
 * addresses, and the credentials' last use. Keys are the batch's string indexes and day numbers, not
 * concatenated strings: this runs once per event on the inserting thread.
 */
export function aggregateBatch(b: EventBatch, stored: Uint8Array, credentialOf: ReadonlyMap<number, string>): BatchAggregate {
  let firstTs = Infinity;
  let lastTs = -Infinity;
  const keys = new Map<number, BatchAggregate["keys"][number]>();
  const usage = new Map<number, Map<number, { requests: number; errors: number; ips: Set<number> }>>(); // credential reference → day → totals
  const lastUse = new Map<number, { at: number; ip: number; ua: number }>();
  for (let i = 0; i < b.n; i++) {
    if (!stored[i]) continue;
    const ts = b.ts[i];
    if (ts < firstTs) firstTs = ts;
    if (ts > lastTs) lastTs = ts;
    const ok = b.status[i] < 400 ? 1 : 0;
    const kr = b.keyRef[i];
    if (kr >= 0) {
      const k = keys.get(kr);
      if (k) {
        k.events++;
        k.successes += ok;
        if (ts < k.first) k.first = ts;
        if (ts > k.last) k.last = ts;
      } else keys.set(kr, { keyRef: b.strings[kr], credentialId: credentialIdAt(b, i, credentialOf), events: 1, successes: ok, first: ts, last: ts });
    }
    const c = b.credentialRef[i];
    if (c !== c) continue; // NaN: no credential
    const day = Math.floor(ts / DAY_MS);
    let days = usage.get(c);
    if (!days) usage.set(c, (days = new Map()));
    let u = days.get(day);
    if (!u) days.set(day, (u = { requests: 0, errors: 0, ips: new Set() }));
    u.requests++;
    u.errors += 1 - ok;
    if (b.srcIp[i] >= 0) u.ips.add(b.srcIp[i]);
    const l = lastUse.get(c);
    if (!l) lastUse.set(c, { at: ts, ip: b.srcIp[i], ua: b.userAgent[i] });
    else if (ts > l.at) {
      l.at = ts;
      l.ip = b.srcIp[i];
      l.ua = b.userAgent[i];
    }
  }
  const out: BatchAggregate = { firstTs, lastTs, keys: [...keys.values()], usage: [], dailyIps: [], lastUse: [] };
  for (const [c, days] of usage) {
    const credentialId = credentialOf.get(c)!;
    for (const [d, u] of days) {
      const day = dayName(d);
      out.usage.push({ credentialId, day, requests: u.requests, errors: u.errors });
      for (const ip of u.ips) out.dailyIps.push({ credentialId, day, ip: b.strings[ip] });
    }
  }
  for (const [c, l] of lastUse) out.lastUse.push({ credentialId: credentialOf.get(c)!, at: l.at, ip: stringAt(b.strings, l.ip), userAgent: stringAt(b.strings, l.ua) });
  return out;
}
