// A seeded, labelled day of gateway traffic for measuring detection (issue 7 point 6).
//   npx tsx scripts/gen-traffic.ts --out /tmp/traffic [--seed 7] [--credentials 220] [--day 2026-11-20]
// Writes, in --out:
//   inventory.json  organisations, catalog and credentials (keyward import-inventory's format), with the
//                   inventory's last use, as a real inventory would carry it
//   history.jsonl   the 11 days before the day, lighter, legitimate only: what baselines are built from
//   day.jsonl       the day: every credential's habits plus one injected attack per rule
//   day.nginx       the same day as nginx "combined" lines plus a quoted key id field
//   truth.json      the attacks: rule meant to catch each, subject (key id and/or source IP), time range,
//                   and the number of legitimate requests of the day
// Same seed, same files.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { mulberry32 } from "../app/domain/seeded-random";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export type TrafficEvent = { ts: number; keyId: string | null; srcIp: string; userAgent: string; method: string; path: string; model: string | null; status: number; bytes: number; latencyMs: number; secretHeader?: boolean; attack?: string };
export type Attack = { id: string; rule: string; description: string; keyId: string | null; srcIp: string | null; start: string; end: string; requests: number };
export type Truth = { seed: number; day: string; credentials: number; dayRequests: number; legitimateRequests: number; historyRequests: number; attacks: Attack[] };

const MODELS = [
  { name: "atlas-2", status: "ga", aliases: ["atlas-2-latest"] },
  { name: "atlas-2-mini", status: "ga", aliases: ["atlas-mini"] },
  { name: "atlas-embed-1", status: "ga", aliases: [] },
  { name: "mythos-preview", status: "restricted", aliases: ["mythos"] },
  { name: "orion-x", status: "unreleased", aliases: ["project-orion"] },
  { name: "atlas-1", status: "retired", aliases: ["atlas-1-legacy"] },
];
const ENDPOINTS = [
  { name: "messages", methods: ["POST"], path: "/v1/models/{model}/messages" },
  { name: "completions", methods: ["POST"], path: "/v1/models/{model}/completions" },
  { name: "embeddings", methods: ["POST"], path: "/v1/models/{model}/embeddings" },
  { name: "models-list", methods: ["GET"], path: "/v1/models" },
  { name: "model-info", methods: ["GET"], path: "/v1/models/{model}" },
  { name: "batches", methods: ["POST"], path: "/v1/batches" },
  { name: "files", methods: ["POST"], path: "/v1/files" },
];
const ORGS = [
  { slug: "northwind", name: "Northwind Analytics", kind: "partner", tier: "standard", entitlements: ["@ga"] },
  { slug: "helix-bio", name: "Helix Bio", kind: "partner", tier: "restricted", entitlements: ["@ga", "mythos-preview"] },
  { slug: "contoso-research", name: "Contoso Research", kind: "partner", tier: "standard", entitlements: ["@ga"] },
  { slug: "fabrikam-labs", name: "Fabrikam Labs", kind: "partner", tier: "standard", entitlements: ["@ga"] },
  { slug: "litware", name: "Litware Health", kind: "partner", tier: "restricted", entitlements: ["@ga", "mythos-preview"] },
  { slug: "adatum", name: "Adatum Legal", kind: "partner", tier: "standard", entitlements: ["@ga"] },
  { slug: "bluefin-data", name: "Bluefin Data Services", kind: "contractor", parent: "helix-bio", tier: "restricted", entitlements: ["@ga", "mythos-preview"] },
  { slug: "quarry-labeling", name: "Quarry Labeling Co.", kind: "contractor", parent: "northwind", tier: "standard", entitlements: ["@ga"] },
  { slug: "tailspin-dev", name: "Tailspin Dev Shop", kind: "contractor", parent: "contoso-research", tier: "standard", entitlements: ["@ga"] },
];
const SDK_UAS = ["model-sdk-python/1.4.2", "model-sdk-python/1.3.9", "model-sdk-node/2.0.1", "model-sdk-go/0.9.4", "python-requests/2.32.3", "axios/1.7.2", "okhttp/4.12.0", "curl/8.5.0"];
const CLOUD_FIRST_OCTETS = [3, 13, 18, 20, 34, 35, 40, 44, 52, 54, 104, 130, 137, 147, 158, 172];

type Habit = "service" | "batch" | "interactive" | "ci";
type Cred = {
  keyId: string;
  org: string;
  habit: Habit;
  ips: string[];
  uas: string[];
  models: string[];
  grant: string[];
  perDay: number;
  issuedDaysAgo: number;
  hasHistory: boolean;
  activeToday: boolean;
  tzShiftH: number;
  batchStartH: number;
};

export function generateTraffic(opts: { seed?: number; credentials?: number; day?: string } = {}) {
  const seed = opts.seed ?? 7;
  const nCreds = Math.max(200, opts.credentials ?? 220);
  const dayStr = opts.day ?? "2026-11-20";
  const D0 = Date.parse(`${dayStr}T00:00:00Z`);
  const rand = mulberry32(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  // ---- credentials and their habits ----
  const usedPrefixes = new Set<string>();
  const prefix = () => {
    for (;;) {
      const p = `${pick(CLOUD_FIRST_OCTETS)}.${between(0, 255)}.${between(0, 255)}`;
      if (!usedPrefixes.has(p)) {
        usedPrefixes.add(p);
        return p;
      }
    }
  };
  const creds: Cred[] = [];
  for (let i = 0; i < nCreds; i++) {
    const org = ORGS[i % ORGS.length];
    const habit: Habit = pick(["service", "service", "batch", "interactive", "interactive", "ci"] as const);
    const p = prefix();
    const nIps = habit === "ci" || habit === "service" ? between(1, 3) : 1;
    const ips = Array.from({ length: nIps }, () => `${p}.${between(2, 250)}`);
    const mythos = org.entitlements.includes("mythos-preview") && rand() < 0.5;
    const ga = ["atlas-2", "atlas-2-mini", "atlas-embed-1"];
    const models = [pick(ga), ...(rand() < 0.4 ? [pick(ga)] : []), ...(mythos ? ["mythos-preview"] : [])].filter((m, j, a) => a.indexOf(m) === j);
    const ua = pick(SDK_UAS);
    const perDay = habit === "service" ? between(150, 900) : habit === "batch" ? between(400, 2500) : habit === "ci" ? between(60, 300) : between(10, 120);
    const issuedDaysAgo = rand() < 0.06 ? between(2, 9) : between(20, 400); // a few brand-new credentials
    creds.push({
      keyId: `kw_${org.slug.split("-")[0]}_${i.toString().padStart(4, "0")}`,
      org: org.slug,
      habit,
      ips,
      uas: habit === "interactive" && rand() < 0.3 ? [ua, "curl/8.5.0"] : [ua],
      models,
      grant: mythos ? ["@ga", "mythos-preview"] : ["@ga"],
      perDay,
      issuedDaysAgo,
      hasHistory: issuedDaysAgo > 11,
      activeToday: rand() < 0.92,
      tzShiftH: pick([-8, -5, 0, 1, 2, 5.5, 8, 9]),
      batchStartH: between(0, 20),
    });
  }

  // ---- legitimate requests ----
  const day: TrafficEvent[] = [];
  const history: TrafficEvent[] = [];
  const modelPath = (m: string) => (m === "atlas-embed-1" ? `/v1/models/${m}/embeddings` : `/v1/models/${m}/messages`);
  const legit = (c: Cred, ts: number, out: TrafficEvent[], model = pick(c.models), ip = pick(c.ips)) => {
    const r = rand();
    const listing = r < 0.01;
    const info = !listing && r < 0.015;
    const path = listing ? "/v1/models" : info ? `/v1/models/${model}` : rand() < 0.03 && model !== "atlas-embed-1" ? "/v1/batches" : modelPath(model);
    const s = rand();
    const status = s < 0.012 ? 429 : s < 0.016 ? 500 : s < 0.019 ? 400 : s < 0.02 ? 529 : 200;
    out.push({ ts, keyId: c.keyId, srcIp: ip, userAgent: pick(c.uas), method: listing || info ? "GET" : "POST", path, model: listing ? null : model, status, bytes: between(300, 9000), latencyMs: between(80, 4000) });
  };
  /** Request times of one credential's day, by habit (ms since the day's start). */
  const times = (c: Cred, n: number): number[] => {
    const out: number[] = [];
    if (c.habit === "service") for (let k = 0; k < n; k++) out.push(Math.floor(rand() * DAY));
    else if (c.habit === "batch") {
      const span = between(2, 4) * HOUR; // ≤ 2,500 requests over ≥ 2 h: at most ~60/min at the peak
      const start = c.batchStartH * HOUR;
      for (let k = 0; k < n; k++) out.push(Math.min(DAY - 1, start + Math.floor(rand() * span)));
    } else if (c.habit === "ci") {
      const runs = between(3, 8);
      const per = Math.ceil(n / runs);
      for (let r = 0; r < runs; r++) {
        const at = Math.floor(rand() * (DAY - HOUR));
        for (let k = 0; k < per; k++) out.push(at + Math.floor(rand() * 10 * MIN));
      }
    } else {
      for (let k = 0; k < n; k++) {
        const h = ((9 + rand() * 9 - c.tzShiftH) % 24 + 24) % 24;
        out.push(Math.floor(h * HOUR + rand() * MIN));
      }
    }
    return out;
  };
  for (const c of creds) {
    if (c.hasHistory) {
      for (let d = 11; d >= 1; d--) {
        const base = D0 - d * DAY;
        const n = Math.max(c.ips.length + c.models.length, Math.min(60, Math.round(c.perDay * 0.05)));
        const ts = times(c, n).sort((a, b) => a - b);
        // Every habitual address and model at least once a day: the baseline knows them.
        ts.forEach((t, k) => legit(c, base + t, history, c.models[k % c.models.length], c.ips[k % c.ips.length]));
      }
    }
    if (c.activeToday && c.issuedDaysAgo > 0) for (const t of times(c, c.perDay)) legit(c, D0 + t, day);
  }
  // Ordinary changes that are not attacks: a few keys adopt another GA model from noon on, a developer
  // mistypes a model name once, a service adds an address in its own /24.
  const ordinary = creds.filter((c) => c.hasHistory && c.activeToday && c.habit === "service");
  for (const c of ordinary.slice(0, 3)) {
    const adopted = ["atlas-2", "atlas-2-mini", "atlas-embed-1"].find((m) => !c.models.includes(m));
    if (!adopted) continue;
    for (let k = 0; k < 40; k++) legit(c, D0 + 12 * HOUR + Math.floor(rand() * 12 * HOUR), day, adopted);
  }
  const typist = creds.find((c) => c.hasHistory && c.activeToday && c.habit === "interactive");
  if (typist) day.push({ ts: D0 + 10 * HOUR + 17 * MIN, keyId: typist.keyId, srcIp: typist.ips[0], userAgent: typist.uas[0], method: "POST", path: "/v1/models/atlas-2-mimi/messages", model: "atlas-2-mimi", status: 404, bytes: 180, latencyMs: 12 });
  const mover = ordinary[3];
  if (mover) {
    const ip = `${mover.ips[0].split(".").slice(0, 3).join(".")}.251`;
    for (let k = 0; k < 30; k++) legit(mover, D0 + 15 * HOUR + k * MIN, day, undefined, ip);
  }
  // Keys decommissioned long ago that a forgotten cron still tries (401 at the gateway: not a success).
  for (let k = 0; k < 40; k++) day.push({ ts: D0 + Math.floor(rand() * DAY), keyId: "kw_old_cron_2024", srcIp: "52.14.77.9", userAgent: "python-requests/2.25.1", method: "POST", path: "/v1/models/atlas-2/messages", model: "atlas-2", status: 401, bytes: 120, latencyMs: 5 });

  // ---- attacks: one per rule, each on its own subject ----
  const attacks: Attack[] = [];
  const attackCreds = new Set<string>();
  const takeCred = (want: (c: Cred) => boolean) => {
    const c = creds.find((x) => !attackCreds.has(x.keyId) && want(x))!;
    attackCreds.add(c.keyId);
    return c;
  };
  const inject = (a: Omit<Attack, "start" | "end" | "requests">, evs: Omit<TrafficEvent, "bytes" | "latencyMs">[]) => {
    for (const e of evs) day.push({ bytes: between(100, 2000), latencyMs: between(20, 900), ...e, attack: a.id });
    const ts = evs.map((e) => e.ts);
    attacks.push({ ...a, start: new Date(Math.min(...ts)).toISOString(), end: new Date(Math.max(...ts)).toISOString(), requests: evs.length });
  };
  const at = (h: number, m = 0, s = 0) => D0 + h * HOUR + m * MIN + s * 1000;
  const contractor = (c: Cred) => ORGS.find((o) => o.slug === c.org)!.kind === "contractor" && c.hasHistory && c.activeToday;
  const withHistory = (c: Cred) => c.hasHistory && c.activeToday && c.habit !== "batch";

  {
    const c = takeCred(contractor);
    inject({ id: "A01", rule: "unreleased_model", description: "a contractor's key asks for the unreleased codename orion-x", keyId: c.keyId, srcIp: c.ips[0] }, [0, 40].map((s) => ({ ts: at(10, 12, s), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: "/v1/models/orion-x/messages", model: "orion-x", status: 404 })));
  }
  {
    const c = takeCred(withHistory);
    inject({ id: "A02", rule: "unknown_model", description: "a key asks for mythos-2, a name built on a restricted model's family", keyId: c.keyId, srcIp: c.ips[0] }, [{ ts: at(11, 3), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: "/v1/models/mythos-2/messages", model: "mythos-2", status: 404 }]);
  }
  {
    const c = takeCred((x) => withHistory(x) && !x.grant.includes("mythos-preview"));
    inject({ id: "A03", rule: "out_of_grant", description: "an @ga key gets an answer from mythos-preview (the gateway let it through)", keyId: c.keyId, srcIp: c.ips[0] }, [{ ts: at(13, 30), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: "/v1/models/mythos-preview/messages", model: "mythos-preview", status: 200 }]);
  }
  const revoked = { keyId: "kw_revoked_0001", org: "fabrikam-labs" };
  inject({ id: "A04", rule: "revoked_credential_use", description: "a key revoked 20 days ago is used again", keyId: revoked.keyId, srcIp: "81.2.69.142" }, [0, 1, 2].map((k) => ({ ts: at(14, 0, k * 20), keyId: revoked.keyId, srcIp: "81.2.69.142", userAgent: "python-requests/2.32.3", method: "POST", path: "/v1/models/atlas-2/messages", model: "atlas-2", status: 401 })));
  {
    const c = takeCred(withHistory);
    const paths = ["/v1/admin", "/v1/keys", "/v1/users", "/v1/organizations", "/v1/billing", "/v1/debug", "/v1/internal/models", "/v1/fine-tunes", "/v1/audit", "/v1/config", "/v1/export", "/v1/usage"];
    inject({ id: "A05", rule: "error_burst", description: "a key gets 12 distinct 404s in 30 seconds", keyId: c.keyId, srcIp: c.ips[0] }, paths.map((p, k) => ({ ts: at(15, 0, k * 2.5), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "GET", path: p, model: null, status: 404 })));
  }
  {
    const ip = "45.155.205.233";
    const paths = [".env", "wp-login.php", "admin", "phpmyadmin", ".git/config", "server-status", "actuator/health", "api/v1/users", "config.json", "debug", "console", "login", "swagger.json", "v2/api-docs", "graphql", "backup.zip", "db.sql", ".aws/credentials", "info.php", "cgi-bin/test", "solr/admin", "jenkins", "owa", "api/keys", "hidden", "test", "old", "dev", "staging", "metrics", "trace", "env", "status", "health", "version", "robots.txt", "sitemap.xml", "xmlrpc.php", "boaform", "HNAP1"];
    inject({ id: "A06", rule: "ip_probe", description: "an address without a key probes 40 paths in 2 minutes", keyId: null, srcIp: ip }, paths.map((p, k) => ({ ts: at(3, 17, k * 3), keyId: null, srcIp: ip, userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", method: "GET", path: `/${p}`, model: null, status: 404 })));
  }
  {
    const c = takeCred(withHistory);
    const paths = ["/v1/models", "/v1/files", "/v1/batches", "/v1/embeddings", "/v1/completions", "/v1/chat/completions", "/v1/assistants", "/v1/threads", "/v1/vector_stores", "/v1/images", "/v1/audio", "/v1/moderations", "/v1/fine_tuning/jobs", "/v1/uploads", "/v1/responses", "/v1/realtime", "/v1/organization", "/v1/projects", "/v1/evals", "/v1/containers", "/v1/tools", "/v1/prompts", "/v1/agents", "/v1/deployments", "/v1/checkpoints"];
    inject({ id: "A07", rule: "path_enumeration", description: "a key walks 25 different API paths, one every two minutes", keyId: c.keyId, srcIp: c.ips[0] }, paths.map((p, k) => ({ ts: at(7, 0) + k * 2 * MIN, keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "GET", path: p, model: null, status: p === "/v1/models" ? 200 : 404 })));
  }
  {
    // The 2026 intrusion: a contractor's valid key, its usual address and SDK, five guesses of the model's URL over 40 minutes.
    const c = takeCred(contractor);
    const guesses = ["mythos-2", "mythos-3", "mythos-preview-2", "mythos-4", "mythos-5"];
    inject({ id: "A08", rule: "pattern_guessing", description: "low and slow: a contractor's valid key guesses 5 model URLs in 40 minutes", keyId: c.keyId, srcIp: c.ips[0] }, guesses.map((g, k) => ({ ts: at(20, 5) + k * 10 * MIN, keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: `/v1/models/${g}/messages`, model: g, status: 404 })));
  }
  {
    const c = takeCred(withHistory);
    const ip = "91.203.145.17";
    inject({ id: "A09", rule: "new_source", description: "a key with 11 days of history is used from an address and /24 it never used", keyId: c.keyId, srcIp: ip }, [0, 1, 2, 3].map((k) => ({ ts: at(16, k * 3), keyId: c.keyId, srcIp: ip, userAgent: c.uas[0], method: "POST", path: modelPath(c.models[0]), model: c.models[0], status: 200 })));
  }
  {
    const c = takeCred(withHistory);
    const ips = ["185.220.101.4", "103.75.12.9", "41.77.3.20"];
    inject({ id: "A10", rule: "credential_sharing", description: "one key used from three networks within 20 minutes", keyId: c.keyId, srcIp: null }, ips.flatMap((ip, k) => [0, 1].map((j) => ({ ts: at(18, 40 + k * 7, j * 30), keyId: c.keyId, srcIp: ip, userAgent: c.uas[0], method: "POST", path: modelPath(c.models[0]), model: c.models[0], status: 200 }))));
  }
  {
    const ip = "193.142.146.35";
    inject({ id: "A11", rule: "scanner_user_agent", description: "nuclei runs against the API without a key", keyId: null, srcIp: ip }, ["/v1/models", "/v1/models/atlas-2", "/.well-known/openid-configuration"].map((p, k) => ({ ts: at(5, 44, k * 7), keyId: null, srcIp: ip, userAgent: "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", method: "GET", path: p, model: null, status: 401 })));
  }
  const dormant = { keyId: "kw_helix_dormant", org: "helix-bio", ip: "54.201.12.77" };
  inject({ id: "A12", rule: "dormant_reactivated", description: "a key issued 120 days ago and never used starts working", keyId: dormant.keyId, srcIp: dormant.ip }, [0, 1, 2, 3, 4].map((k) => ({ ts: at(9, 0, k * 30), keyId: dormant.keyId, srcIp: dormant.ip, userAgent: "python-requests/2.32.3", method: "POST", path: "/v1/models/atlas-2/messages", model: "atlas-2", status: 200 })));
  {
    const c = takeCred((x) => withHistory(x) && !x.models.includes("atlas-2") && !x.models.includes("atlas-2-mini"));
    inject({ id: "A13", rule: "recon_then_use", description: "a key probes an unknown model, then calls a model it never used, 6 minutes later", keyId: c.keyId, srcIp: c.ips[0] }, [
      { ts: at(17, 0), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: "/v1/models/atlas-3/messages", model: "atlas-3", status: 404 },
      { ts: at(17, 6), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: "/v1/models/atlas-2/messages", model: "atlas-2", status: 200 },
    ]);
  }
  {
    const c = takeCred((x) => withHistory(x) && x.habit === "interactive");
    inject({ id: "A14", rule: "rate_burst", description: "a key that sends a few requests an hour sends 900 in 3 minutes", keyId: c.keyId, srcIp: c.ips[0] }, Array.from({ length: 900 }, (_, k) => ({ ts: at(12, 30) + Math.floor((k * 3 * MIN) / 900), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: modelPath(c.models[0]), model: c.models[0], status: 200 })));
  }
  {
    const c = takeCred(withHistory);
    inject({ id: "A15", rule: "secret_in_logs", description: "the gateway logged a request's Authorization header", keyId: c.keyId, srcIp: c.ips[0] }, [{ ts: at(12, 0, 5), keyId: c.keyId, srcIp: c.ips[0], userAgent: c.uas[0], method: "POST", path: modelPath(c.models[0]), model: c.models[0], status: 200, secretHeader: true }]);
  }
  inject({ id: "A16", rule: "unregistered_credential", description: "a key never registered gets answers", keyId: "kw_shadow_7f3a", srcIp: "34.90.18.201" }, [0, 1, 2, 3, 4].map((k) => ({ ts: at(19, 0, k * 40), keyId: "kw_shadow_7f3a", srcIp: "34.90.18.201", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/models/atlas-2-mini/messages", model: "atlas-2-mini", status: 200 })));

  day.sort((a, b) => a.ts - b.ts);
  history.sort((a, b) => a.ts - b.ts);

  // ---- the inventory ----
  const iso = (ms: number) => new Date(ms).toISOString();
  const inventory = {
    models: MODELS,
    endpoints: ENDPOINTS,
    organizations: ORGS.map((o) => ({ slug: o.slug, name: o.name, kind: o.kind, parent: "parent" in o ? o.parent : undefined, tier: o.tier, status: "active", entitlements: o.entitlements })),
    credentials: [
      ...creds.map((c) => {
        const lastHistory = c.hasHistory ? D0 - 11 * DAY - between(1, 3) * HOUR : null;
        return {
          keyId: c.keyId,
          org: c.org,
          label: `${c.habit} key ${c.keyId.slice(-4)}`,
          holder: `${c.habit}-${c.keyId.slice(-4)}`,
          grant: c.grant,
          environment: c.habit === "interactive" ? "development" : "production",
          storage: c.habit === "interactive" ? "local_file" : "secrets_manager",
          issuedAt: iso(D0 - c.issuedDaysAgo * DAY),
          ...(lastHistory ? { lastUsedAt: iso(lastHistory), lastUsedIp: c.ips[0], lastUsedUserAgent: c.uas[0] } : {}),
        };
      }),
      { keyId: revoked.keyId, org: revoked.org, label: "Old batch key", holder: "batch-old", grant: ["@ga"], environment: "production", storage: "ci_secret", status: "revoked", issuedAt: iso(D0 - 200 * DAY), revokedAt: iso(D0 - 20 * DAY), revokedReason: "Replaced" },
      { keyId: dormant.keyId, org: dormant.org, label: "Pilot key", holder: "pilot", grant: ["@ga"], environment: "staging", storage: "shared_drive", issuedAt: iso(D0 - 120 * DAY) },
    ],
  };

  const attackLines = day.filter((e) => e.attack).length;
  const truth: Truth = { seed, day: dayStr, credentials: inventory.credentials.length, dayRequests: day.length, legitimateRequests: day.length - attackLines, historyRequests: history.length, attacks };
  return { inventory, history, day, truth };
}

const pad = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function timeLocal(ms: number) {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export function toJsonl(events: readonly TrafficEvent[], prefix: string): string {
  return events
    .map((e, i) =>
      JSON.stringify({
        ts: new Date(e.ts).toISOString(),
        requestId: `${prefix}_${i.toString(36)}`,
        ...(e.keyId ? { keyId: e.keyId } : {}),
        srcIp: e.srcIp,
        userAgent: e.userAgent,
        method: e.method,
        path: e.path,
        status: e.status,
        bytes: e.bytes,
        latencyMs: e.latencyMs,
        ...(e.secretHeader ? { headers: { authorization: "Bearer sk-live-EXAMPLE0000000000000000000000" } } : {}),
      }),
    )
    .join("\n")
    .concat("\n");
}

/** nginx combined + "$key_id" ("-" without one). A logged secret appears as an api_key query parameter. */
export function toNginx(events: readonly TrafficEvent[]): string {
  return events
    .map((e) => `${e.srcIp} - - [${timeLocal(e.ts)}] "${e.method} ${e.path}${e.secretHeader ? "?api_key=sk-live-EXAMPLE0000000000000000000000" : ""} HTTP/1.1" ${e.status} ${e.bytes} "-" "${e.userAgent}" "${e.keyId ?? "-"}"`)
    .join("\n")
    .concat("\n");
}

export function writeTraffic(dir: string, g: ReturnType<typeof generateTraffic>) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "inventory.json"), JSON.stringify(g.inventory, null, 1));
  writeFileSync(path.join(dir, "history.jsonl"), toJsonl(g.history, "h"));
  writeFileSync(path.join(dir, "day.jsonl"), toJsonl(g.day, "d"));
  writeFileSync(path.join(dir, "day.nginx"), toNginx(g.day));
  writeFileSync(path.join(dir, "truth.json"), JSON.stringify(g.truth, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: "string" }, seed: { type: "string", default: "7" }, credentials: { type: "string", default: "220" }, day: { type: "string", default: "2026-11-20" }, help: { type: "boolean", default: false } } });
  if (values.help || !values.out) {
    console.log("Usage: npx tsx scripts/gen-traffic.ts --out DIR [--seed N] [--credentials N (≥200)] [--day YYYY-MM-DD]");
    process.exit(values.help ? 0 : 1);
  }
  const g = generateTraffic({ seed: Number(values.seed), credentials: Number(values.credentials), day: values.day });
  writeTraffic(values.out, g);
  console.log(JSON.stringify({ out: values.out, credentials: g.truth.credentials, dayRequests: g.truth.dayRequests, legitimateRequests: g.truth.legitimateRequests, historyRequests: g.truth.historyRequests, attacks: g.truth.attacks.length }, null, 2));
}
