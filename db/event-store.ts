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

export function prepareEventStore(client: Database.Database) {
  const insertEvent = client.prepare(
    `insert or ignore into log_events (event_key, import_id, ts, request_id, key_ref, credential_id, src_ip, asn, country, user_agent, method, path, endpoint, model, status, gateway_error, bytes, latency_ms, tokens_in, tokens_out)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
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
    /** true when stored, false when the event was already there (a duplicate). */
    // Positional binding: measurably cheaper than named parameters on this hot path.
    insertEvent: (r: EventRow) =>
      insertEvent.run(r.eventKey, r.importId, r.ts, r.requestId, r.keyRef, r.credentialId, r.srcIp, r.asn, r.country, r.userAgent, r.method, r.path, r.endpoint, r.model, r.status, r.gatewayError, r.bytes, r.latencyMs, r.tokensIn, r.tokensOut).changes === 1,
    upsertKey: (importId: string, keyRef: string, credentialId: string | null, events: number, successes: number, first: number, last: number) =>
      upsertKey.run(importId, keyRef, credentialId, events, successes, first, last),
    upsertUsage: (credentialId: string, day: string, requests: number, errors: number) => upsertUsage.run(credentialId, day, requests, errors),
    insertDailyIp: (credentialId: string, day: string, ip: string) => insertDailyIp.run(credentialId, day, ip),
    moveLastUse: (credentialId: string, at: number, ip: string | null, userAgent: string | null) => moveLastUse.run(at, ip, userAgent, credentialId, at),
  };
}
export type EventStore = ReturnType<typeof prepareEventStore>;
