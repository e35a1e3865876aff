import type Database from "better-sqlite3";
import { eventKeysOf, numberOrNull, stringAt, type EventBatch } from "../app/domain/event-batch";

// The import's hot path: prepared statements run once per event inside the batch transaction.
// Raw SQL on purpose (drizzle's builder costs more per row than the insert itself); it is SQLite's
// dialect, so it lives in db/ with the rest of what a PostgreSQL port would rewrite (COPY there).

const COLUMNS = "event_key, import_ref, ts, request_id, key_ref, credential_ref, src_ip, asn, country, user_agent, method, path, endpoint, model, status, gateway_error, bytes, latency_ms, tokens_in, tokens_out";
const ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/** Rows per multi-row INSERT: 50 × 20 parameters stays far below SQLite's limit of 32,766. */
const CHUNK = 50;

/** Row i of a columnar batch as the INSERT's parameters (positional, passed as one array: cheaper than named or spread). */
function params(b: EventBatch, keys: Float64Array, importRef: number, i: number, out: unknown[]) {
  const s = b.strings;
  out.push(keys[i], importRef, b.ts[i], str(s, b.requestId[i]), str(s, b.keyRef[i]), num(b.credentialRef[i]), str(s, b.srcIp[i]), num(b.asn[i]), str(s, b.country[i]), str(s, b.userAgent[i]), s[b.method[i]], s[b.path[i]], str(s, b.endpoint[i]), str(s, b.model[i]), b.status[i], str(s, b.gatewayError[i]), num(b.bytes[i]), num(b.latencyMs[i]), num(b.tokensIn[i]), num(b.tokensOut[i]));
}
const str = stringAt;
const num = numberOrNull;

export type EventRefKind = "credential" | "import";

/** The integer reference of a credential or an import in log_events, created on first use. */
export function eventRefOf(client: Database.Database, kind: EventRefKind, targetId: string): number {
  client.prepare("insert or ignore into event_refs (kind, target_id) values (?, ?)").run(kind, targetId);
  return (client.prepare("select ref from event_refs where kind = ? and target_id = ?").get(kind, targetId) as { ref: number }).ref;
}

/** Every credential's reference, credential id → ref (a trigger gives each new credential its own: migration 0007). */
export function credentialRefs(client: Database.Database): Map<string, number> {
  const rows = client.prepare("select target_id as id, ref from event_refs where kind = 'credential'").all() as { id: string; ref: number }[];
  return new Map(rows.map((r) => [r.id, r.ref]));
}

export function prepareEventStore(client: Database.Database) {
  const insertEvent = client.prepare(`insert or ignore into log_events (${COLUMNS}) values ${ROW}`);
  const insertChunk = client.prepare(`insert or ignore into log_events (${COLUMNS}) values ${Array(CHUNK).fill(ROW).join(", ")}`);
  const lastId = client.prepare("select max(id) from log_events").pluck();
  const insertedAfter = client.prepare("select ts, event_key as k from log_events where id > ?");
  const upsertKey = client.prepare(
    `insert into log_import_keys (import_id, key_ref, credential_id, events, successes, first_seen, last_seen) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (import_id, key_ref) do update set events = events + excluded.events, successes = successes + excluded.successes,
       first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
  );
  const upsertUsage = client.prepare(
    `insert into credential_usage_daily (credential_id, day, requests, errors) values (?, ?, ?, ?)
     on conflict (credential_id, day) do update set requests = requests + excluded.requests, errors = errors + excluded.errors`,
  );
  const insertDailyIp = client.prepare(`insert or ignore into credential_daily_ips (credential_id, day, ip) values (?, ?, ?)`);
  // Last use only moves forward.
  const moveLastUse = client.prepare(
    `update credentials set last_used_at = ?, last_used_ip = ?, last_used_user_agent = ? where id = ? and (last_used_at is null or last_used_at < ?)`,
  );
  return {
    /**
     * Inserts a batch's events, 50 per statement (fewer round trips into SQLite than one per row), and
     * marks which were stored (1) rather than already there (0). When a chunk holds a duplicate (its
     * change count falls short), the rows it did store are read back by rowid: new rows always get
     * rowids above every existing one (no AUTOINCREMENT, and only this transaction writes). Rare except
     * on a re-import. (A savepoint per chunk, rolled back on a short one, cost 3 µs per event.)
     */
    insertBatch(b: EventBatch, importRef: number): { stored: Uint8Array; count: number } {
      const stored = new Uint8Array(b.n);
      const keys = eventKeysOf(b);
      let count = 0;
      let last = (lastId.get() as number | null) ?? 0;
      const p: unknown[] = [];
      let i = 0;
      for (; i + CHUNK <= b.n; i += CHUNK) {
        p.length = 0;
        for (let j = i; j < i + CHUNK; j++) params(b, keys, importRef, j, p);
        const info = insertChunk.run(p);
        if (info.changes === CHUNK) {
          stored.fill(1, i, i + CHUNK);
          count += CHUNK;
        } else if (info.changes > 0) {
          const inserted = new Set((insertedAfter.all(last) as { ts: number; k: number }[]).map((r) => `${r.ts}:${r.k}`));
          for (let j = i; j < i + CHUNK; j++) {
            const key = `${b.ts[j]}:${keys[j]}`;
            if (inserted.delete(key)) {
              stored[j] = 1; // the first of identical rows is the one stored
              count++;
            }
          }
        }
        if (info.changes > 0) last = Number(info.lastInsertRowid);
      }
      for (; i < b.n; i++) {
        p.length = 0;
        params(b, keys, importRef, i, p);
        if (insertEvent.run(p).changes === 1) {
          stored[i] = 1;
          count++;
        }
      }
      return { stored, count };
    },
    upsertKey: (importId: string, keyRef: string, credentialId: string | null, events: number, successes: number, first: number, last: number) =>
      upsertKey.run(importId, keyRef, credentialId, events, successes, first, last),
    upsertUsage: (credentialId: string, day: string, requests: number, errors: number) => upsertUsage.run(credentialId, day, requests, errors),
    insertDailyIp: (credentialId: string, day: string, ip: string) => insertDailyIp.run(credentialId, day, ip),
    moveLastUse: (credentialId: string, at: number, ip: string | null, userAgent: string | null) => moveLastUse.run(at, ip, userAgent, credentialId, at),
  };
}
export type EventStore = ReturnType<typeof prepareEventStore>;
