// A large database for the dashboards benchmark (issue 8, point 5): 500 organisations, 20,000
// credentials, 5 million gateway events with their daily rollups, 20,000 flags, 10 imports and 90 days
// of risk snapshots. Written directly with prepared statements in batches (a few minutes on 2 cores).
//   npx tsx scripts/seed-large.ts [--db /tmp/keyward-large.db] [--events 5000000]
// Demo logins on it (password keyward-bench-2026): vm@, security@, auditor@bench.test, and the
// partner admin / member of the largest partner: admin@p000.bench.test, member@p000.bench.test.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { mulberry32 } from "../app/domain/seeded-random";
import { DEMO_TOTP_SECRET } from "../app/models/demo-seed-account.server";

const { values } = parseArgs({ options: { db: { type: "string", default: "/tmp/keyward-large.db" }, events: { type: "string", default: "5000000" } } });
const FILE = values.db!;
const EVENTS = Number(values.events);
for (const f of [FILE, `${FILE}-wal`, `${FILE}-shm`]) fs.rmSync(f, { force: true });
process.env.KEYWARD_DB = FILE;
process.env.KEYWARD_DATA ??= `${FILE}.data`;

const { getDb } = await import("../db/client");
const { hashPassword } = await import("../app/password.server");
const { DEFAULT_POLICIES } = await import("../app/domain/policy");
const { riskLevel } = await import("../app/domain/risk-score");

const DAY = 86_400_000;
const now = Date.now();
const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const rand = mulberry32(8);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const t0 = Date.now();
const step = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s  ${what}`);

const db = getDb();
const sqlite = db.$client;
sqlite.pragma("synchronous = OFF");
const password = await hashPassword("keyward-bench-2026");

// Policies, organisations, users.
const insPolicy = sqlite.prepare("insert or ignore into policies (tier, max_credential_age_days, unused_threshold_days, attestation_cadence_days, review_cadence_days, rotation_grace_hours, updated_at) values (?, ?, ?, ?, ?, ?, ?)");
for (const p of Object.values(DEFAULT_POLICIES)) insPolicy.run(p.tier, p.maxCredentialAgeDays, p.unusedThresholdDays, p.attestationCadenceDays, p.reviewCadenceDays, p.rotationGraceHours, now);
type Org = { id: string; slug: string; kind: "partner" | "contractor"; parent: string | null };
const orgs: Org[] = [];
const insOrg = sqlite.prepare("insert into organizations (id, slug, name, kind, parent_id, tier, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)");
const insUser = sqlite.prepare("insert into users (id, email, name, org_id, role, status, password_hash, created_at, updated_at) values (?, ?, ?, ?, ?, 'active', ?, ?, ?)");
sqlite.transaction(() => {
  for (let i = 0; i < 350; i++) {
    const o: Org = { id: crypto.randomUUID(), slug: `p${String(i).padStart(3, "0")}`, kind: "partner", parent: null };
    orgs.push(o);
    insOrg.run(o.id, o.slug, `Partner ${i} Ltd`, "partner", null, rand() < 0.2 ? "restricted" : "standard", i % 40 === 39 ? "onboarding" : "active", now - 400 * DAY, now);
  }
  for (let i = 0; i < 150; i++) {
    const parent = i < 10 ? orgs[0] : orgs[Math.floor(rand() * 350)];
    const o: Org = { id: crypto.randomUUID(), slug: `c${String(i).padStart(3, "0")}`, kind: "contractor", parent: parent.id };
    orgs.push(o);
    insOrg.run(o.id, o.slug, `Contractor ${i} GmbH`, "contractor", parent.id, rand() < 0.3 ? "restricted" : "standard", i % 15 === 14 ? "onboarding" : "active", now - 300 * DAY, now);
  }
  // Internal roles must sign in with a second factor: enrolled with the published demo secret.
  const insTwoFactor = sqlite.prepare("insert into two_factors (user_id, secret, enabled_at, created_at) values (?, ?, ?, ?)");
  for (const [email, role] of [["vm@bench.test", "vendor_manager"], ["security@bench.test", "security"], ["auditor@bench.test", "auditor"]] as const) {
    const id = crypto.randomUUID();
    insUser.run(id, email, role, null, role, password, now, now);
    insTwoFactor.run(id, DEMO_TOTP_SECRET, now, now);
  }
  insUser.run(crypto.randomUUID(), "admin@p000.bench.test", "Partner Admin", orgs[0].id, "partner_admin", password, now, now);
  insUser.run(crypto.randomUUID(), "member@p000.bench.test", "Partner Member", orgs[0].id, "partner_member", password, now, now);
})();
step("500 organisations, 5 users");

// Credentials: 40 per organisation.
type Cred = { id: string; keyId: string; orgId: string; live: boolean; ips: string[] };
const creds: Cred[] = [];
const insCred = sqlite.prepare(
  "insert into credentials (id, key_id, org_id, label, holder_service, grant_models, grant_endpoints, environment, storage, status, issued_at, expires_at, last_rotated_at, last_used_at, last_used_ip, created_at, updated_at) values (?, ?, ?, ?, 'svc', '[\"@ga\"]', '[\"*\"]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
const insShare = sqlite.prepare("insert or ignore into credential_shares (credential_id, org_id) values (?, ?)");
const contractorsOf = new Map<string, string[]>();
for (const o of orgs) if (o.parent) contractorsOf.set(o.parent, [...(contractorsOf.get(o.parent) ?? []), o.id]);
sqlite.transaction(() => {
  for (const o of orgs) {
    for (let j = 0; j < 40; j++) {
      const id = crypto.randomUUID();
      const keyId = `kw_${o.slug}_${String(j).padStart(2, "0")}`;
      const issued = now - Math.floor(rand() * 420 * DAY);
      const rotated = rand() < 0.4 ? issued + Math.floor(rand() * (now - issued)) : null;
      const r = rand();
      const status = r < 0.9 ? "active" : r < 0.95 ? "revoked" : r < 0.97 ? "suspended" : "expired";
      const used = rand() < 0.85 ? now - Math.floor(rand() * 60 * DAY) : null;
      const storage = pick(["secrets_manager", "secrets_manager", "secrets_manager", "ci_secret", "local_file", "shared_drive", "other"]);
      const ips = [0, 1, 2, 3].map((k) => `10.${(creds.length >> 8) & 255}.${creds.length & 255}.${k + 1}`);
      insCred.run(id, keyId, o.id, `Key ${j}`, pick(["production", "staging", "ci"]), storage, status, issued, status === "expired" ? now - DAY : null, rotated, used, used ? ips[0] : null, issued, now);
      creds.push({ id, keyId, orgId: o.id, live: status === "active" || status === "suspended", ips });
      const cs = contractorsOf.get(o.id);
      if (cs && rand() < 0.1) insShare.run(id, pick(cs));
    }
  }
})();
step(`${creds.length} credentials`);

// Imports.
const importIds: string[] = [];
const insImport = sqlite.prepare(
  "insert into log_imports (id, source, format, via, file_name, status, lines, parsed, rejected, matched, unmatched, secrets_stripped, started_at, finished_at) values (?, ?, 'jsonl', 'cli', ?, 'completed', ?, ?, ?, ?, ?, ?, ?, ?)",
);
const insKey = sqlite.prepare("insert into log_import_keys (import_id, key_ref, credential_id, events, successes, first_seen, last_seen) values (?, ?, NULL, 3, 0, ?, ?)");
for (let i = 0; i < 10; i++) {
  const id = crypto.randomUUID();
  importIds.push(id);
  const n = EVENTS / 10;
  insImport.run(id, `edge-gw-${i % 3}`, `gateway-${i}.jsonl.gz`, n + 37, n, 37, n - 200, 200, i % 4, now - (10 - i) * 3 * DAY, now - (10 - i) * 3 * DAY + 60_000);
  for (let k = 0; k < 5; k++) insKey.run(id, `kw_unregistered_${i}_${k}`, now - DAY, now - DAY);
}

// Events, through the import's own insert (columnar batches: db/event-store.ts), and their daily rollups.
const live = creds.filter((c) => c.live);
// Events name their import and credential by integer reference (event_refs), as the import writes them.
const { credentialRefs, eventRefOf, prepareEventStore } = await import("../db/event-store");
const { BatchBuilder } = await import("../app/domain/event-batch");
const credRef = credentialRefs(sqlite);
const importRefs = importIds.map((id) => eventRefOf(sqlite, "import", id));
const store = prepareEventStore(sqlite);
const usage = new Map<string, [number, number, number]>(); // "credIndex|day" → requests, errors, ip mask
const span = 30 * DAY;
const start = now - span;
const PATHS = ["/v1/messages", "/v1/models/atlas-2/messages", "/v1/embeddings", "/v1/models", "/v1/complete"];
const BATCH = 20_000;
for (let b = 0; b < EVENTS; b += BATCH) {
  const end = Math.min(EVENTS, b + BATCH);
  const importRef = importRefs[Math.floor((b / EVENTS) * 10)]; // a batch belongs to one import (10 imports, 500k events each)
  const builder = new BatchBuilder(end - b);
  for (let i = b; i < end; i++) {
    const ts = start + Math.floor((i / EVENTS) * span);
    const ci = Math.floor(rand() * live.length);
    const c = live[ci];
    const ipIdx = Math.floor(rand() * rand() * 4);
    const err = rand() < 0.035;
    const status = err ? pick([400, 403, 404, 429, 500]) : 200;
    builder.add({ ts, status, asn: null, bytes: 1200, latencyMs: 300, tokensIn: null, tokensOut: null, credentialRef: credRef.get(c.id) ?? null, requestId: `r${i}`, keyRef: c.keyId, srcIp: c.ips[ipIdx], country: null, userAgent: "model-sdk-python/1.4.2", method: "POST", path: pick(PATHS), endpoint: "messages", model: "atlas-2", gatewayError: null, secrets: [] });
    const key = `${ci}|${dayOf(ts)}`;
    const u = usage.get(key) ?? [0, 0, 0];
    u[0]++;
    if (err) u[1]++;
    u[2] |= 1 << ipIdx;
    usage.set(key, u);
  }
  const batch = builder.take();
  sqlite.transaction(() => store.insertBatch(batch, importRef))();
  if (b % 1_000_000 === 0) step(`events ${b.toLocaleString("en")}`);
}
step(`${EVENTS.toLocaleString("en")} events`);
const insUsage = sqlite.prepare("insert into credential_usage_daily (credential_id, day, requests, errors) values (?, ?, ?, ?)");
const insIp = sqlite.prepare("insert or ignore into credential_daily_ips (credential_id, day, ip) values (?, ?, ?)");
sqlite.transaction(() => {
  for (const [key, [req, errs, mask]] of usage) {
    const [ci, day] = key.split("|");
    const c = live[Number(ci)];
    insUsage.run(c.id, day, req, errs);
    for (let k = 0; k < 4; k++) if (mask & (1 << k)) insIp.run(c.id, day, c.ips[k]);
  }
})();
step(`${usage.size.toLocaleString("en")} daily usage rows`);

// Flags: 20,000 over 60 days, most resolved.
const RULES = [["unknown_model", "low"], ["error_burst", "medium"], ["new_source", "low"], ["pattern_guessing", "high"], ["out_of_grant", "medium"], ["scanner_user_agent", "high"], ["unreleased_model", "critical"], ["credential_sharing", "low"], ["ip_probe", "medium"]] as const;
const insFlag = sqlite.prepare(
  "insert into flags (id, rule, severity, credential_id, org_id, src_ip, key_ref, subject_key, status, first_seen, last_seen, count, summary, evidence, window_ms, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', 3600000, ?, ?)",
);
sqlite.transaction(() => {
  for (let i = 0; i < 20_000; i++) {
    const [rule, severity] = pick(RULES);
    const at = now - Math.floor(rand() * 60 * DAY);
    const ipOnly = rule === "ip_probe";
    const c = pick(creds);
    const s = rand();
    const status = s < 0.15 ? "open" : s < 0.2 ? "acknowledged" : s < 0.22 ? "escalated" : s < 0.9 ? "resolved" : "false_positive";
    insFlag.run(crypto.randomUUID(), rule, severity, ipOnly ? null : c.id, ipOnly ? null : c.orgId, ipOnly ? `203.0.113.${i % 250}` : null, ipOnly ? null : c.keyId, ipOnly ? `ip:203.0.113.${i % 250}` : `cred:${c.id}`, status, at, at + 600_000, 1 + (i % 9), `Synthetic ${rule} finding`, at, at);
  }
})();
step("20,000 flags");

// 90 days of risk snapshots per organisation.
const insSnap = sqlite.prepare("insert into risk_snapshots (org_id, day, score, level, attestation, lines, taken_at) values (?, ?, ?, ?, ?, '[]', ?)");
sqlite.transaction(() => {
  for (const o of orgs) {
    let score = Math.floor(rand() * 80);
    for (let d = 89; d >= 0; d--) {
      score = Math.max(0, Math.min(100, score + Math.round((rand() - 0.5) * 6)));
      insSnap.run(o.id, dayOf(today - d * DAY), score, riskLevel(score), pick(["current", "current", "due_soon", "overdue", "missing"]), today - d * DAY);
    }
  }
})();
step("45,000 risk snapshots");
// The daily usage totals (every credential and per organisation) and this hour's risk snapshot (today's
// row, with its inputs: the dashboards rank from it), as the scheduler keeps them in production.
const { rollUpUsageTotals } = await import("../app/models/usage-totals.server");
step(`usage totals for ${rollUpUsageTotals(new Date(), { force: true }).days} days`);
const { takeRiskSnapshots } = await import("../app/models/risk-snapshot.server");
step(`risk snapshot of ${takeRiskSnapshots(new Date(), { force: true }).orgs} organisations`);
sqlite.pragma("wal_checkpoint(TRUNCATE)");
sqlite.exec("analyze");
step(`done: ${FILE} (${(fs.statSync(FILE).size / 1e9).toFixed(2)} GB)`);
