import type Database from "better-sqlite3";

// The import's hot path: prepared statements run once per event inside the batch transaction.
// Raw SQL on purpose (drizzle's builder costs more per row than the insert itself); it is SQLite's
// dialect, so it lives in db/ with the rest of what a PostgreSQL port would rewrite (COPY there).

export type EventRow = {
  eventKey: number;
  importId: string;
  ts: number;
  requestId: string | null;
  keyRef: string | null;
  credentialId: string | null;
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
};

const COLUMNS = "event_key, import_id, ts, request_id, key_ref, credential_id, src_ip, asn, country, user_agent, method, path, endpoint, model, status, gateway_error, bytes, latency_ms, tokens_in, tokens_out";
const ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/** Rows per multi-row INSERT: 50 × 20 parameters stays far below SQLite's limit of 32,766. */
const CHUNK = 50;

function params(r: EventRow, out: unknown[]) {
  out.push(r.eventKey, r.importId, r.ts, r.requestId, r.keyRef, r.credentialId, r.srcIp, r.asn, r.country, r.userAgent, r.method, r.path, r.endpoint, r.model, r.status, r.gatewayError, r.bytes, r.latencyMs, r.tokensIn, r.tokensOut);
}

export function prepareEventStore(client: Database.Database) {
  const insertEvent = client.prepare(`insert or ignore into log_events (${COLUMNS}) values ${ROW}`);
  const insertChunk = client.prepare(`insert or ignore into log_events (${COLUMNS}) values ${Array(CHUNK).fill(ROW).join(", ")}`);
  // Nested in the batch's transaction, better-sqlite3 runs this as a savepoint: a short chunk rolls back alone.
  const insertWholeChunk = client.transaction((p: unknown[]) => {
    if (insertChunk.run(...p).changes !== CHUNK) throw new PartialChunk();
  });
  const insertOne = (r: EventRow) => {
    const p: unknown[] = [];
    params(r, p);
    return insertEvent.run(...p).changes === 1;
  };
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
    /** true when stored, false when the event was already there (a duplicate). Positional binding: cheaper than named. */
    insertEvent: insertOne,
    /**
     * Inserts many events, 50 per statement (fewer round trips into SQLite than one per row), and
     * returns the ones actually stored. When a chunk holds a duplicate (its change count falls short),
     * that chunk is rolled back to its savepoint and inserted row by row to learn which: rare except on
     * a re-import, which stays correct.
     */
    insertEvents(rows: readonly EventRow[]): EventRow[] {
      const stored: EventRow[] = [];
      const p: unknown[] = [];
      let i = 0;
      for (; i + CHUNK <= rows.length; i += CHUNK) {
        p.length = 0;
        for (let j = i; j < i + CHUNK; j++) params(rows[j], p);
        try {
          insertWholeChunk(p);
          for (let j = i; j < i + CHUNK; j++) stored.push(rows[j]);
        } catch (e) {
          if (!(e instanceof PartialChunk)) throw e;
          for (let j = i; j < i + CHUNK; j++) if (insertOne(rows[j])) stored.push(rows[j]);
        }
      }
      for (; i < rows.length; i++) if (insertOne(rows[i])) stored.push(rows[i]);
      return stored;
    },
    upsertKey: (importId: string, keyRef: string, credentialId: string | null, events: number, successes: number, first: number, last: number) =>
      upsertKey.run(importId, keyRef, credentialId, events, successes, first, last),
    upsertUsage: (credentialId: string, day: string, requests: number, errors: number) => upsertUsage.run(credentialId, day, requests, errors),
    insertDailyIp: (credentialId: string, day: string, ip: string) => insertDailyIp.run(credentialId, day, ip),
    moveLastUse: (credentialId: string, at: number, ip: string | null, userAgent: string | null) => moveLastUse.run(at, ip, userAgent, credentialId, at),
  };
}
export type EventStore = ReturnType<typeof prepareEventStore>;

/** A chunk held a duplicate: its savepoint is rolled back and the rows are inserted one by one. */
class PartialChunk extends Error {}
