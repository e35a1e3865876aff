import { and, desc, eq, gte, inArray, sql, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentialBaselines, credentialRotations, credentials, flags, organizations, type FlagEvidence } from "../../db/schema";
import { ALL_RULES } from "~/domain/detection/all-rules";
import { createEngine, type Engine, type EngineContext, type RuleErrorCount, type SettingsOverrides } from "~/domain/detection/engine";
import { STAGE_RULES, threadModules, type StageDetection } from "~/domain/detection/stage-detection";
import { prefix24 } from "~/domain/detection/ip-prefix";
import { MinuteCounts } from "~/domain/detection/minute-counts";
import { SEVERITY_ORDER, type CatalogModel, type CredentialBaseline, type CredentialFacts, type Finding, type RuleId, type Severity } from "~/domain/detection/types";
import { flagNotificationText, isNotifiable } from "~/domain/detection/triage";
import type { Actor } from "~/domain/actor";
import { getEnv } from "~/env.server";
import { flagActivity } from "../../db/schema-triage";
import { listModels } from "./catalog.server";
import { setCredentialStatus } from "./credential-lifecycle.server";
import { getDetectionPolicy, getRuleOverrides } from "./detection-settings.server";
import { listActiveSuppressions } from "./flag.server";
import type { StageDetectionResult, StoredEvent } from "./log-import.server";
import { enqueueEvent, eventReceivers } from "./outbox.server";

// Detection during an import (DESIGN "Data flow of an import", issue 7): every stored event of a batch
// goes through the engine (all rules, window state kept for the whole import; when a worker parses the
// file, STAGE_RULES run there and their findings come with the batch) inside the batch's
// transaction; each finding upserts a flag (a repeat firing of the same rule for the same subject
// within the rule's window updates the open flag instead of adding one, also across imports). At the
// end of the import the credentials' baselines (first/last use, known sources, models used, rate p99)
// are merged and written, so that the next import sees them.
//
// Synchronous on purpose: onBatch/onComplete run inside importLogs' transactions (better-sqlite3 is
// one connection, so getDb() here takes part in that transaction).

const MAX_EVIDENCE = 20;
const MAX_KNOWN_IPS = 200;
const MAX_KNOWN_PREFIXES = 100;
const MAX_MODELS_USED = 500;
/** Distinct minutes remembered per credential for this import's rate percentile. */
const MAX_MINUTES_PER_CREDENTIAL = 50_000;
const LIVE_STATUSES = ["open", "acknowledged", "escalated"] as const;

export type FlagStatus = (typeof flags.$inferSelect)["status"];
export const FLAG_STATUSES: readonly FlagStatus[] = ["open", "acknowledged", "escalated", "resolved", "false_positive"];

/** Rules whose subject is the source address rather than the credential. */
const IP_SUBJECT_RULES: ReadonlySet<RuleId> = new Set<RuleId>(["ip_probe", "scanner_user_agent"]);

/**
 * The flag a finding belongs to: "cred:<id>" (else "key:<keyRef>") for per-credential rules, "ip:<ip>"
 * for per-address rules (ip_probe, scanner_user_agent, and pattern_guessing's multi-key findings, which
 * carry no credential), both joined with "|" for new_source (a credential from one new address).
 */
export function flagSubjectKey(f: Pick<Finding, "rule" | "credentialId" | "keyRef" | "srcIp">): string {
  const ip = f.srcIp ? `ip:${f.srcIp}` : null;
  const cred = f.credentialId ? `cred:${f.credentialId}` : f.keyRef ? `key:${f.keyRef}` : null;
  if (IP_SUBJECT_RULES.has(f.rule) && ip) return ip;
  if (f.rule === "new_source" && cred && ip) return `${cred}|${ip}`;
  return cred ?? ip ?? "none";
}

/** Append a finding's sample to a flag's evidence, skipping entries already there, keeping the latest MAX_EVIDENCE. */
export function mergeEvidence(old: readonly FlagEvidence[], sample: readonly FlagEvidence[]): FlagEvidence[] {
  const seen = new Set(old.map((e) => `${e.ts}|${e.method}|${e.path}|${e.srcIp}`));
  const out = [...old];
  for (const e of sample) {
    const k = `${e.ts}|${e.method}|${e.path}|${e.srcIp}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out.length > MAX_EVIDENCE ? out.slice(out.length - MAX_EVIDENCE) : out;
}

/** Value at the 99th percentile (nearest rank) of per-minute request counts. */
export function p99(counts: Iterable<number>): number | null {
  const v = Float64Array.from(counts).sort(); // numeric order, natively
  if (!v.length) return null;
  return v[Math.max(0, Math.ceil(v.length * 0.99) - 1)];
}

type CredentialRow = { id: string; keyId: string; fingerprint: string | null; orgId: string; lastUsedAt: Date | null; lastUsedIp: string | null; status: CredentialFacts["status"]; issuedAt: Date; expiresAt: Date | null; revokedAt: Date | null; updatedAt: Date; grantModels: string[]; grantEndpoints: string[] };

/** When the credential left "active", as far as the inventory tells. Revoked: revokedAt. Suspended: updatedAt (approximate: the last change of the row). Expired: expiresAt, else updatedAt. */
function statusChangedAt(c: CredentialRow): number | null {
  if (c.status === "active") return null;
  if (c.status === "revoked") return (c.revokedAt ?? c.updatedAt).getTime();
  if (c.status === "expired") return (c.expiresAt ?? c.updatedAt).getTime();
  return c.updatedAt.getTime();
}

/** Who the auto-suspend policy acts as (audit: "Keyward detection"). */
const DETECTION_ACTOR: Actor = { id: "system:detection", email: "detection@keyward", name: "Keyward detection", role: "security", orgId: null, orgKind: null, orgSlug: null, orgName: null };

/** `minute`/`minuteCount`: the current run of events in one minute, added to `minutes` when another minute starts (events come in order). */
type Seen = { first: number; last: number; ips: Map<string, number>; lastIp: string | null; models: Set<string>; lastModel: string | null; minutes: MinuteCounts; minute: number; minuteCount: number };

function flushMinute(s: Seen) {
  if (s.minuteCount === 0) return;
  s.minutes.add(s.minute, s.minuteCount);
  s.minuteCount = 0;
}

export type ImportDetector = {
  /** With `stage`, the parse stage ran STAGE_RULES (stageDetection) and these are their findings: the detector runs the other rules. */
  onBatch(events: StoredEvent[], stage?: StageDetectionResult, order?: ArrayLike<number>): number;
  onComplete(): void;
  /** Rule errors caught by the engine during this import (a rule that throws never stops the import). */
  ruleErrors(): RuleErrorCount[];
  /** The rules the import's parse stage may run instead (with what they need), when it parses on a thread of its own. */
  stageDetection: StageDetection;
};

/**
 * Detection hooks for one import: pass `onBatch` and `onComplete` to importLogs. `importId` defaults to
 * the events' own importId (the CLI and the push API do not know it before the import starts).
 */
export function createImportDetector(importId?: string, settingsOverrides?: SettingsOverrides): ImportDetector {
  const overrides = settingsOverrides ?? getRuleOverrides();
  // Every rule, or (when the parse stage runs STAGE_RULES) the others: made on first use, one per import.
  let engine: Engine | null = null;
  let stageErrors: RuleErrorCount[] = [];
  const stageRules = STAGE_RULES; // handed to the parse stage (stageDetection) and left out here when it runs them
  const engineFor = (stage: boolean) => (engine ??= createEngine(stage ? threadModules(stageRules) : ALL_RULES, overrides));
  // Suppressions (false positives marked with "don't flag again") and the containment policy, as they are when the import starts.
  const loadSuppressions = () => new Set(listActiveSuppressions().map((s) => `${s.rule}|${s.credentialId ? `cred:${s.credentialId}` : `ip:${s.srcIp}`}`));
  let suppressed = loadSuppressions();
  const isSuppressed = (f: Finding) => suppressed.size > 0 && ((f.credentialId !== null && suppressed.has(`${f.rule}|cred:${f.credentialId}`)) || (f.srcIp !== null && suppressed.has(`${f.rule}|ip:${f.srcIp}`)));
  const autoSuspend = getDetectionPolicy().autoSuspendCritical;
  const autoSuspended = new Set<string>();
  let ctx: (EngineContext & { setKeyRef(keyRef: string | null): void }) | null = null; // set by load()
  /** Every stored baseline row, read at the first baseline() call; dropped once onComplete has written new ones. */
  let storedBaselines: Map<string, typeof credentialBaselines.$inferSelect> | null = null;
  let storedBaselinesRead = false;
  const seen = new Map<string, Seen>();
  const keyIdOf = new Map<string, string>();

  /** Inventory, rotations and catalog: loaded once, when the detector is created (just before its import). */
  function load() {
    const db = getDb();
    const catalog: CatalogModel[] = listModels().map((m) => ({ name: m.name, status: m.status, aliases: m.aliases }));
    const rows: CredentialRow[] = db
      .select({ id: credentials.id, keyId: credentials.keyId, fingerprint: credentials.fingerprint, orgId: credentials.orgId, lastUsedAt: credentials.lastUsedAt, lastUsedIp: credentials.lastUsedIp, status: credentials.status, issuedAt: credentials.issuedAt, expiresAt: credentials.expiresAt, revokedAt: credentials.revokedAt, updatedAt: credentials.updatedAt, grantModels: credentials.grantModels, grantEndpoints: credentials.grantEndpoints })
      .from(credentials)
      .all();
    const facts = new Map<string, CredentialFacts>();
    const registered = new Set<string>();
    // The inventory's last use before this import (importLogs moves it forward batch by batch, which is
    // why the detector loads it when it is created): the baseline of a credential detection has not seen yet.
    const inventoryLastUse = new Map<string, { at: number; ip: string | null }>();
    for (const c of rows) {
      if (c.lastUsedAt) inventoryLastUse.set(c.id, { at: c.lastUsedAt.getTime(), ip: c.lastUsedIp });
      facts.set(c.id, { id: c.id, orgId: c.orgId, status: c.status, issuedAt: c.issuedAt.getTime(), expiresAt: c.expiresAt?.getTime() ?? null, grantModels: c.grantModels, grantEndpoints: c.grantEndpoints, statusChangedAt: statusChangedAt(c) });
      registered.add(c.keyId);
      if (c.fingerprint) registered.add(c.fingerprint);
    }
    // A rotated-away key (id or fingerprint) → its credential and the end of its grace period. A key
    // that is some credential's current key is not "rotated away" for it.
    const rotated = new Map<string, { credentialId: string; graceEndsAt: number }>();
    for (const r of db.select().from(credentialRotations).all()) {
      for (const k of [r.oldKeyId, r.oldFingerprint]) {
        if (!k) continue;
        registered.add(k);
        const prev = rotated.get(k);
        if (!prev || prev.graceEndsAt < r.graceEndsAt.getTime()) rotated.set(k, { credentialId: r.credentialId, graceEndsAt: r.graceEndsAt.getTime() });
      }
    }
    for (const c of rows) keyIdOf.set(c.id, c.keyId);
    const current = new Set(rows.flatMap((c) => (c.fingerprint ? [c.keyId, c.fingerprint] : [c.keyId])));
    const withGrace = new Map<string, CredentialFacts>(); // keyRef → facts with rotatedKeyGraceEndsAt
    const baselines = new Map<string, CredentialBaseline | null>(); // as they were before this import
    let keyRef: string | null = null;
    // Several rules ask for the same event's credential: the answer is kept until the next event.
    let memoId: string | null = null;
    let memo: CredentialFacts | null = null;
    const lookup = (id: string): CredentialFacts | null => {
      const f = facts.get(id) ?? null;
      if (!f || keyRef === null) return f;
      // Rotated-away keys are few (often none): looked up first, and a current key is only then ruled out.
      const rot = rotated.get(keyRef);
      if (!rot || rot.credentialId !== id || current.has(keyRef)) return f;
      let g = withGrace.get(keyRef);
      if (!g) withGrace.set(keyRef, (g = { ...f, rotatedKeyGraceEndsAt: rot.graceEndsAt }));
      return g;
    };
    ctx = {
      catalog,
      setKeyRef(k) {
        // The facts depend on the credential and the key only: the same key keeps the memo.
        if (k === keyRef) return;
        keyRef = k;
        memoId = null;
      },
      credential(id) {
        if (id !== memoId) {
          memo = lookup(id);
          memoId = id;
        }
        return memo;
      },
      baseline(id) {
        const cached = baselines.get(id);
        if (cached !== undefined || baselines.has(id)) return cached ?? null;
        // The stored baselines are read in one query on the first call (not one query per credential).
        if (storedBaselines === null && !storedBaselinesRead) {
          storedBaselinesRead = true;
          storedBaselines = new Map(getDb().select().from(credentialBaselines).all().map((r) => [r.credentialId, r]));
        }
        const b = storedBaselines !== null ? storedBaselines.get(id) : getDb().select().from(credentialBaselines).where(eq(credentialBaselines.credentialId, id)).get();
        const last = inventoryLastUse.get(id);
        const prefix = last?.ip ? prefix24(last.ip) : null;
        // No baseline yet but the inventory knows a last use: a partial baseline (no history: firstSeenAt
        // null keeps new_source quiet; the last use keeps dormant_reactivated from calling it a first use).
        const v: CredentialBaseline | null = b
          ? { firstSeenAt: b.firstSeenAt, lastUsedAt: b.lastUsedAt, knownIps: b.knownIps, knownPrefixes: b.knownPrefixes, modelsUsed: b.modelsUsed, ratePerMinuteP99: b.ratePerMinuteP99 }
          : last
            ? { firstSeenAt: null, lastUsedAt: last.at, knownIps: last.ip ? [last.ip] : [], knownPrefixes: prefix ? [prefix] : [], modelsUsed: [], ratePerMinuteP99: null }
            : null;
        baselines.set(id, v);
        return v;
      },
      isRegisteredKey: (k) => registered.has(k),
    };
    return ctx;
  }

  function orgOf(credentialId: string | null): string | null {
    if (!credentialId || !ctx) return null;
    return ctx.credential(credentialId)?.orgId ?? null;
  }

  /**
   * Live flags this import has touched, by rule and subject: a repeat finding updates the cached flag in
   * memory and the batch writes each changed flag once (flushFlags), instead of a read and a write per finding.
   * `batch`: the batch in which the flag was last known to be live (security may close it between batches).
   */
  type CachedFlag = { id: string; severity: Severity; count: number; evidence: FlagEvidence[]; firstSeen: number; lastSeen: number; summary: string; windowMs: number; dirty: boolean; batch: number };
  const liveFlags = new Map<string, CachedFlag>();
  let batchNo = 0;
  let suppressionsReloadedIn = -1;

  // Statements built and prepared once per import: drizzle's query building costs far more than SQLite's
  // work for these one-row statements. drizzle encodes a placeholder's value with its column (JSON,
  // timestamp) when it runs; set()'s types do not admit placeholders, hence the casts.
  const P = sql.placeholder;
  function prepareStatements() {
    const db = getDb();
    return {
      /** The open flag of a rule and subject still within its window. */
      liveFlag: db
        .select({ id: flags.id, severity: flags.severity, count: flags.count, evidence: flags.evidence, firstSeen: flags.firstSeen, lastSeen: flags.lastSeen, summary: flags.summary, windowMs: flags.windowMs })
        .from(flags)
        .where(and(eq(flags.rule, P("rule")), eq(flags.subjectKey, P("subjectKey")), inArray(flags.status, [...LIVE_STATUSES]), gte(flags.lastSeen, P("since"))))
        .orderBy(desc(flags.lastSeen))
        .limit(1)
        .prepare(),
      /** Is a cached flag still live (security may have resolved it or marked it a false positive meanwhile)? */
      isLive: db
        .select({ id: flags.id })
        .from(flags)
        .where(and(eq(flags.id, P("id")), inArray(flags.status, [...LIVE_STATUSES])))
        .prepare(),
      insert: db
        .insert(flags)
        .values({ id: P("id"), rule: P("rule"), severity: P("severity"), credentialId: P("credentialId"), orgId: P("orgId"), srcIp: P("srcIp"), keyRef: P("keyRef"), subjectKey: P("subjectKey"), status: "open", firstSeen: P("ts"), lastSeen: P("ts"), count: 1, summary: P("summary"), evidence: P("evidence"), windowMs: P("windowMs"), importId: P("importId"), createdAt: P("now"), updatedAt: P("now") })
        .prepare(),
      /** Only while the flag is live: a closed flag is never modified by a late finding. */
      update: db
        .update(flags)
        .set({ count: P("count"), lastSeen: P("lastSeen"), firstSeen: P("firstSeen"), severity: P("severity"), summary: P("summary"), evidence: P("evidence"), windowMs: P("windowMs"), updatedAt: P("now") } as unknown as Partial<typeof flags.$inferInsert>)
        .where(and(eq(flags.id, P("id")), inArray(flags.status, [...LIVE_STATUSES])))
        .prepare(),
    };
  }
  let statements: ReturnType<typeof prepareStatements> | null = null;
  const stmt = () => (statements ??= prepareStatements());

  function flushFlags() {
    let now: Date | null = null;
    for (const fl of liveFlags.values()) {
      if (!fl.dirty) continue;
      fl.dirty = false;
      now ??= new Date();
      stmt().update.run({ id: fl.id, count: fl.count, lastSeen: fl.lastSeen, firstSeen: fl.firstSeen, severity: fl.severity, summary: fl.summary, evidence: fl.evidence, windowMs: fl.windowMs, now });
    }
  }

  /**
   * A flag cached in an earlier batch may have been closed since (resolved or marked a false positive by
   * security while the import runs): checked once per batch, on the flag's first finding in it. A closed
   * flag is forgotten, so the finding opens a new flag, as a new firing after triage should; the
   * suppressions are read again first, since marking a false positive may have added one.
   */
  function stillLive(fl: CachedFlag): boolean {
    if (fl.batch === batchNo) return true;
    if (stmt().isLive.get({ id: fl.id })) {
      fl.batch = batchNo;
      return true;
    }
    if (suppressionsReloadedIn !== batchNo) {
      suppressionsReloadedIn = batchNo;
      suppressed = loadSuppressions();
    }
    return false;
  }

  /** Insert or update the flag for one finding; true when a new flag was inserted. */
  function upsertFlag(f: Finding, importIdOfEvent: string): boolean {
    const subjectKey = flagSubjectKey(f);
    const cacheKey = `${f.rule}\u0000${subjectKey}`;
    let live: CachedFlag | undefined = liveFlags.get(cacheKey);
    if (live && !stillLive(live)) {
      liveFlags.delete(cacheKey);
      live = undefined;
      if (isSuppressed(f)) return false;
    }
    if (live && live.lastSeen < f.ts - f.windowMs) live = undefined;
    if (!live && !liveFlags.has(cacheKey)) {
      const row = stmt().liveFlag.get({ rule: f.rule, subjectKey, since: f.ts - f.windowMs });
      if (row) liveFlags.set(cacheKey, (live = { ...row, dirty: false, batch: batchNo }));
    }
    if (live) {
      if (SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[live.severity]) {
        // A flag that rises to high or critical is news too: notified (and contained) as a new one would be.
        const wasNotifiable = isNotifiable(live.severity);
        live.severity = f.severity;
        if (!wasNotifiable && isNotifiable(f.severity)) notify(live.id, f, orgOf(f.credentialId), new Date());
        if (f.severity === "critical") containCritical(live.id, f);
      }
      live.count++;
      live.lastSeen = Math.max(live.lastSeen, f.ts);
      live.firstSeen = Math.min(live.firstSeen, f.ts);
      live.summary = f.summary;
      live.evidence = mergeEvidence(live.evidence, f.sample);
      live.windowMs = f.windowMs;
      live.dirty = true;
      return false;
    }
    const now = new Date();
    const orgId = orgOf(f.credentialId);
    const id = crypto.randomUUID();
    const evidence = mergeEvidence([], f.sample);
    stmt().insert.run({ id, rule: f.rule, severity: f.severity, credentialId: f.credentialId, orgId, srcIp: f.srcIp, keyRef: f.keyRef, subjectKey, ts: f.ts, summary: f.summary, evidence, windowMs: f.windowMs, importId: importId ?? importIdOfEvent, now });
    liveFlags.set(cacheKey, { id, severity: f.severity, count: 1, evidence, firstSeen: f.ts, lastSeen: f.ts, summary: f.summary, windowMs: f.windowMs, dirty: false, batch: batchNo });
    if (isNotifiable(f.severity)) notify(id, f, orgId, now);
    if (f.severity === "critical") containCritical(id, f);
    return true;
  }

  /** The webhooks subscribed to "flag.raised" per organisation ("" for none): resolved once per import. */
  const receiversByOrg = new Map<string, { id: string }[]>();

  /** A new high or critical flag goes to the webhooks subscribed to "flag.raised" (Slack-compatible `text` plus the JSON data). */
  function notify(flagId: string, f: Finding, orgId: string | null, now: Date) {
    const keyId = f.credentialId ? (keyIdOf.get(f.credentialId) ?? null) : null;
    const subject = keyId ? `credential ${keyId}` : f.keyRef ? `key ${f.keyRef}` : f.srcIp ? `address ${f.srcIp}` : "an unknown subject";
    const url = `${getEnv().baseUrl}/flags/${flagId}`;
    let receivers = receiversByOrg.get(orgId ?? "");
    if (!receivers) receiversByOrg.set(orgId ?? "", (receivers = eventReceivers(getDb(), "flag.raised", orgId)));
    enqueueEvent(getDb(), "flag.raised", { flagId, rule: f.rule, severity: f.severity, keyId, srcIp: f.srcIp, summary: f.summary, firstSeen: new Date(f.ts).toISOString(), url }, { orgId, now, receivers, text: flagNotificationText({ rule: f.rule, severity: f.severity, summary: f.summary, subject, url }) });
  }

  /** The optional policy: suspend the credential of a critical flag (through the lifecycle: audit and gateway webhook), noted on the flag. */
  function containCritical(flagId: string, f: Finding) {
    if (!autoSuspend || !f.credentialId || autoSuspended.has(f.credentialId)) return;
    const keyId = keyIdOf.get(f.credentialId);
    const facts = ctx?.credential(f.credentialId);
    if (!keyId || facts?.status !== "active") return;
    autoSuspended.add(f.credentialId);
    const r = setCredentialStatus({ actor: DETECTION_ACTOR, ip: null }, keyId, "suspend", `Automatic: critical ${f.rule} flag ${flagId}`);
    if (r.ok) getDb().insert(flagActivity).values({ flagId, kind: "suspended", actorId: null, actorName: "Keyward (auto-suspend policy)", body: "Suspended automatically: the policy suspends a credential on a critical flag.", partnerVisible: true }).run();
  }

  // The credential remembered last (a batch's events come grouped by credential).
  let lastSeenId: string | null = null;
  let lastSeen: Seen | undefined;
  function remember(e: StoredEvent) {
    if (!e.credentialId) return;
    let s = e.credentialId === lastSeenId ? lastSeen : seen.get(e.credentialId);
    if (!s) seen.set(e.credentialId, (s = { first: e.ts, last: e.ts, ips: new Map(), lastIp: null, models: new Set(), lastModel: null, minutes: new MinuteCounts(MAX_MINUTES_PER_CREDENTIAL), minute: Number.NaN, minuteCount: 0 }));
    lastSeenId = e.credentialId;
    lastSeen = s;
    if (e.ts < s.first) s.first = e.ts;
    if (e.ts > s.last) s.last = e.ts;
    if (e.srcIp && e.srcIp !== s.lastIp) {
      s.lastIp = e.srcIp; // already the most recent key otherwise: nothing to reorder
      s.ips.delete(e.srcIp); // re-insert: the Map's order is recency
      s.ips.set(e.srcIp, e.ts);
      if (s.ips.size > MAX_KNOWN_IPS) s.ips.delete(s.ips.keys().next().value as string);
    }
    if (e.model && e.model !== s.lastModel && e.status >= 200 && e.status < 300 && s.models.size < MAX_MODELS_USED) {
      s.models.add(e.model);
      s.lastModel = e.model;
    }
    const minute = Math.floor(e.ts / 60_000);
    if (minute === s.minute) s.minuteCount++;
    else {
      flushMinute(s);
      s.minute = minute;
      s.minuteCount = 1;
    }
  }

  // Loaded now, before importLogs writes anything (see inventoryLastUse).
  const c = load();

  return {
    onBatch(events, stage, order) {
      batchNo++;
      let raised = 0;
      const en = engineFor(stage !== undefined);
      // The credential's facts depend on the key the event presented (a rotated-away key's grace period).
      const { findings } = en.observeBatch(events, c, (e) => c.setKeyRef(e.keyRef), order);
      c.setKeyRef(null);
      for (const { index, finding } of findings) if (!isSuppressed(finding) && upsertFlag(finding, events[index].importId)) raised++;
      for (const e of events) remember(e);
      if (stage) {
        stageErrors = stage.ruleErrors;
        const importIdOfEvents = events[0]?.importId ?? importId ?? "";
        for (const f of stage.findings) if (!isSuppressed(f) && upsertFlag(f, importIdOfEvents)) raised++;
      }
      flushFlags();
      return raised;
    },

    /**
     * Merge what this import saw into each credential's baseline: first seen (min), last use (max), known
     * addresses (this import's, most recent first, then the older ones; ≤ 200) and their /24s (≤ 100),
     * models answered 2xx (union), and the rate p99: the larger of the stored p99 and this import's p99
     * of per-minute counts (simple and conservative: it never decreases, so a busier history only makes
     * rate_burst quieter).
     */
    onComplete() {
      const db = getDb();
      const now = new Date();
      // Prepared once: one read and one upsert per credential seen.
      const readOld = db.select().from(credentialBaselines).where(eq(credentialBaselines.credentialId, P("id"))).prepare();
      const cols = { firstSeenAt: P("firstSeenAt"), lastUsedAt: P("lastUsedAt"), knownIps: P("knownIps"), knownPrefixes: P("knownPrefixes"), modelsUsed: P("modelsUsed"), ratePerMinuteP99: P("ratePerMinuteP99"), updatedAt: P("now") };
      const upsert = db
        .insert(credentialBaselines)
        .values({ credentialId: P("id"), ...cols })
        .onConflictDoUpdate({ target: credentialBaselines.credentialId, set: cols as unknown as Partial<typeof credentialBaselines.$inferInsert> })
        .prepare();
      for (const [credentialId, s] of seen) {
        const old = readOld.get({ id: credentialId });
        const recentIps = [...s.ips.keys()].reverse();
        const ips = [...new Set([...recentIps, ...(old?.knownIps ?? [])])].slice(0, MAX_KNOWN_IPS);
        const newPrefixes = recentIps.map(prefix24).filter((p): p is string => p !== null);
        const prefixes = [...new Set([...newPrefixes, ...(old?.knownPrefixes ?? [])])].slice(0, MAX_KNOWN_PREFIXES);
        const models = [...new Set([...(old?.modelsUsed ?? []), ...s.models])].slice(0, MAX_MODELS_USED);
        flushMinute(s);
        const rate = p99(s.minutes.values());
        const ratePerMinuteP99 = old?.ratePerMinuteP99 != null && rate != null ? Math.max(old.ratePerMinuteP99, rate) : (rate ?? old?.ratePerMinuteP99 ?? null);
        upsert.run({
          id: credentialId,
          firstSeenAt: old?.firstSeenAt != null ? Math.min(old.firstSeenAt, s.first) : s.first,
          lastUsedAt: old?.lastUsedAt != null ? Math.max(old.lastUsedAt, s.last) : s.last,
          knownIps: ips,
          knownPrefixes: prefixes,
          modelsUsed: models,
          ratePerMinuteP99,
          now,
        });
      }
      seen.clear();
      lastSeenId = null;
      lastSeen = undefined;
      storedBaselines = null; // stale now: a later read goes to the table
    },

    ruleErrors: () => [...(engine?.errorCounts() ?? []), ...stageErrors],
    stageDetection: { rules: stageRules, overrides, catalog: c.catalog as CatalogModel[] },
  };
}

export type FlagListItem = { id: string; rule: string; severity: Severity; keyId: string | null; org: string | null; srcIp: string | null; status: FlagStatus; count: number; firstSeen: string; lastSeen: string; summary: string };

/**
 * Flags, newest last-seen first, for the operator's CLI (`keyward flags`): not tenant-scoped (the CLI
 * runs with the database's own rights). keyId is the credential's current key id; org its slug.
 */
export function listFlagsForCli(filter: { status?: FlagStatus; rule?: string; limit?: number } = {}): FlagListItem[] {
  const where: SQL[] = [];
  if (filter.status) where.push(eq(flags.status, filter.status));
  if (filter.rule) where.push(eq(flags.rule, filter.rule));
  const rows = getDb()
    .select({ id: flags.id, rule: flags.rule, severity: flags.severity, keyId: credentials.keyId, org: organizations.slug, srcIp: flags.srcIp, status: flags.status, count: flags.count, firstSeen: flags.firstSeen, lastSeen: flags.lastSeen, summary: flags.summary })
    .from(flags)
    .leftJoin(credentials, eq(credentials.id, flags.credentialId))
    .leftJoin(organizations, eq(organizations.id, flags.orgId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(flags.lastSeen), desc(flags.createdAt))
    .limit(filter.limit ?? 10_000)
    .all();
  return rows.map((r) => ({ ...r, keyId: r.keyId ?? null, org: r.org ?? null, firstSeen: new Date(r.firstSeen).toISOString(), lastSeen: new Date(r.lastSeen).toISOString() }));
}
