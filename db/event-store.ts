import type Database from "better-sqlite3";
import { eventKeysOf, numberOrNull, stringAt, type EventBatch } from "../app/domain/event-batch";
import { EVENT_STRING_COLUMNS, type logEvents } from "./schema";

// The import's hot path: prepared statements run once per event inside the batch transaction.
// Raw SQL on purpose (drizzle's builder costs more per row than the insert itself); it is SQLite's
// dialect, so it lives in db/ with the rest of what a PostgreSQL port would rewrite (COPY there).
// Rows go to log_event_rows with their strings as event_strings ids (schema.ts): a batch's string table
// already holds each distinct string once, so each is looked up once per batch, not once per row.

/** An event's fields in the order of the INSERTs' columns (and of `params`). */
const FIELDS = ["eventKey", "importRef", "ts", "requestId", "keyRef", "credentialRef", "srcIp", "asn", "country", "userAgent", "method", "path", "endpoint", "model", "status", "gatewayError", "bytes", "latencyMs", "tokensIn", "tokensOut"] as const;
const COLUMNS = FIELDS.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(", ");
const ROW = `(${FIELDS.map(() => "?").join(", ")})`;
/** The newest event row's id: every new row's id is above it. */
const LAST_ROW = "select max(id) from log_event_rows";
/** Rows per multi-row INSERT: 50 × 20 parameters stays far below SQLite's limit of 32,766. */
const CHUNK = 50;

/**
 * Row i of a columnar batch as the INSERT's parameters (positional, passed as one array: cheaper than
 * named or spread); `id(index)` is the event_strings id of the batch's string at `index` (null for -1).
 */
function params(b: EventBatch, keys: Float64Array, importRef: number, i: number, id: (index: number) => number | null, out: unknown[]) {
  out.push(keys[i], importRef, b.ts[i], stringAt(b.strings, b.requestId[i]), id(b.keyRef[i]), num(b.credentialRef[i]), id(b.srcIp[i]), num(b.asn[i]), id(b.country[i]), id(b.userAgent[i]), id(b.method[i]), id(b.path[i]), id(b.endpoint[i]), id(b.model[i]), b.status[i], id(b.gatewayError[i]), num(b.bytes[i]), num(b.latencyMs[i]), num(b.tokensIn[i]), num(b.tokensOut[i]));
}
const num = numberOrNull;

/** Strings whose ids an import remembers between batches (a bound on its memory; past it, it starts over). */
const CACHED_STRINGS = 50_000;

/**
 * The event_strings ids of a batch's strings, adding the new ones. Ids found in the table are remembered
 * between batches while the table's epoch stands (a purge bumps it: deleteEventStrings); ids added in
 * this batch are not, since its transaction may yet roll back. Call inside the batch's transaction, one
 * batch per transaction (as the import does): an id added by an earlier batch of the same transaction
 * would be found, remembered, and left dangling if that transaction rolled back.
 */
function prepareStringIds(client: Database.Database) {
  const find = client.prepare("select id from event_strings where value = ?").pluck();
  const add = client.prepare("insert into event_strings (value) values (?)");
  const epochNow = client.prepare("select epoch from event_strings_epoch where id = 1").pluck();
  let cache = new Map<string, number>();
  let epoch: number | null = null;
  return (b: EventBatch) => {
    const now = epochNow.get() as number;
    if (now !== epoch || cache.size > CACHED_STRINGS) {
      cache = new Map();
      epoch = now;
    }
    const ids = new Float64Array(b.strings.length); // 0: not looked up yet (ids start at 1)
    return (index: number): number | null => {
      if (index < 0) return null;
      let id = ids[index];
      if (id !== 0) return id;
      const value = b.strings[index];
      const known = cache.get(value) ?? (find.get(value) as number | undefined);
      if (known !== undefined) cache.set(value, (id = known));
      else id = Number(add.run(value).lastInsertRowid);
      ids[index] = id;
      return id;
    };
  };
}

/** A gateway event as the log_events view reads it, minus its row id; absent fields are null. */
export type LogEventValues = Pick<typeof logEvents.$inferSelect, "eventKey" | "importRef" | "ts" | "method" | "path" | "status"> & Partial<Omit<typeof logEvents.$inferSelect, "id">>;

/**
 * Stores events given one by one, for seeds and tests (an import stores batches: prepareEventStore).
 * Through the log_events view, whose trigger stores their strings; an event already stored is skipped.
 */
export function insertLogEvents(client: Database.Database, rows: readonly LogEventValues[]) {
  const insert = client.prepare(`insert or ignore into log_events (${COLUMNS}) values ${ROW}`);
  for (const r of rows) insert.run(FIELDS.map((f) => r[f] ?? null));
}

/** Calls `use` with every string id of the event rows after `afterRow` (0: all of them). */
function forEachStringId(client: Database.Database, afterRow: number, use: (id: number) => void) {
  const rows = client.prepare(`select ${EVENT_STRING_COLUMNS.join(", ")} from log_event_rows where id > ?`).raw().iterate(afterRow) as IterableIterator<(number | null)[]>;
  for (const row of rows) for (let i = 0; i < row.length; i++) if (row[i] !== null) use(row[i]!);
}

/** Strings no stored event used when they were looked for, and the last event row then. */
export type UnusedEventStrings = { ids: number[]; lastRow: number };

/**
 * The event strings no stored event uses (after retention purged events). One pass over the event rows,
 * in a read transaction: it holds no write lock, however long it takes (seconds for millions of events).
 */
export function findUnusedEventStrings(client: Database.Database): UnusedEventStrings {
  return client.transaction(() => {
    const maxId = (client.prepare("select max(id) from event_strings").pluck().get() as number | null) ?? 0;
    const used = new Uint8Array(maxId + 1);
    forEachStringId(client, 0, (id) => (used[id] = 1));
    const ids: number[] = [];
    for (const id of client.prepare("select id from event_strings").pluck().iterate() as IterableIterator<number>) if (!used[id]) ids.push(id);
    const lastRow = (client.prepare(LAST_ROW).pluck().get() as number | null) ?? 0;
    return { ids, lastRow };
  })();
}

/**
 * Deletes the strings findUnusedEventStrings found, except those used by events stored since (rows after
 * its last one: a new row's id is above every existing one, and events are deleted only by retention,
 * oldest first), and bumps the epoch so that an import's remembered ids are dropped. Call inside a write
 * transaction (short: it reads only the events stored since). Returns how many it deleted.
 */
export function deleteEventStrings(client: Database.Database, unused: UnusedEventStrings): number {
  const spare = new Set<number>();
  forEachStringId(client, unused.lastRow, (id) => spare.add(id));
  const del = client.prepare("delete from event_strings where id = ?");
  let n = 0;
  for (const id of unused.ids) if (!spare.has(id)) n += del.run(id).changes;
  if (n > 0) client.prepare("update event_strings_epoch set epoch = epoch + 1 where id = 1").run();
  return n;
}

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
  const insertEvent = client.prepare(`insert or ignore into log_event_rows (${COLUMNS}) values ${ROW}`);
  const insertChunk = client.prepare(`insert or ignore into log_event_rows (${COLUMNS}) values ${Array(CHUNK).fill(ROW).join(", ")}`);
  const lastId = client.prepare(LAST_ROW).pluck();
  const insertedAfter = client.prepare("select ts, event_key as k from log_event_rows where id > ?");
  const stringIds = prepareStringIds(client);
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
      const id = stringIds(b);
      let count = 0;
      let last = (lastId.get() as number | null) ?? 0;
      const p: unknown[] = [];
      let i = 0;
      for (; i + CHUNK <= b.n; i += CHUNK) {
        p.length = 0;
        for (let j = i; j < i + CHUNK; j++) params(b, keys, importRef, j, id, p);
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
        params(b, keys, importRef, i, id, p);
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
