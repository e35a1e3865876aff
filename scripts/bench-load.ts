// Load benchmark (issue 9, point 6): the running portal on a seeded temp database, driven over
// loopback by autocannon for a fixed time with mixed traffic from several clients:
//   - page views: signed-in clients (every demo role, internal ones through their second factor)
//     cycling through the main pages;
//   - log pushes: POST /api/v1/logs with a bearer token, 50 unique NDJSON events per request.
// Reports throughput, p50/p95/p99 latency and errors per kind, then checks that every event of every
// accepted push is in the database (none lost, none twice).
//
//   npx tsx scripts/bench-load.ts [--duration 20] [--page-clients 6] [--push-clients 2] [--keep]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import Database from "better-sqlite3";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    "page-clients": { type: "string", default: "6" },
    "push-clients": { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
  },
});
const DURATION = Number(values.duration);
const PAGE_CLIENTS = Number(values["page-clients"]);
const PUSH_CLIENTS = Number(values["push-clients"]);
const EVENTS_PER_PUSH = 50;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bench-load-"));
process.env.KEYWARD_DB = path.join(dir, "bench.db");
process.env.KEYWARD_DATA = path.join(dir, "data");
process.env.NODE_ENV = "production";

const { ROOT, signInOverHttp, startPortalProcess, stopPortalProcess } = await import("./portal-process");
const { DEMO_LOGINS, DEMO_PASSWORD } = await import("../app/models/demo-seed.server");
const { DEMO_TOTP_SECRET } = await import("../app/models/demo-seed-account.server");
const { issueApiToken } = await import("../app/api-auth.server");
const { getActor, getUserByEmail } = await import("../app/models/user.server");

const seeded = spawnSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "seed-demo"], { cwd: ROOT, env: process.env, encoding: "utf8" });
if (seeded.status !== 0) throw new Error(`seed-demo failed: ${seeded.stderr}`);
const security = getActor(getUserByEmail("security@keyward.demo")!.id)!;
const { token } = await issueApiToken({ actor: security, ip: null }, { name: "bench-load", source: "bench-load", scope: "logs:write", expiresInDays: 1 });

const portal = await startPortalProcess({ ...process.env });
// Plain http: the Secure cookie attribute is ignored by autocannon, which sends what we give it.
const base = portal.baseUrl;
const PAGES = ["/dashboard", "/credentials", "/orgs", "/users", "/rotations", "/catalog"];
const INTERNAL_PAGES = [...PAGES, "/audit", "/imports"];

const clients: { email: string; cookie: string; pages: string[] }[] = [];
const logins = DEMO_LOGINS.slice(0, PAGE_CLIENTS);
for (const [i, l] of logins.entries()) {
  const internal = l.org === null;
  const cookie = await signInOverHttp(base, l.email, DEMO_PASSWORD, internal ? DEMO_TOTP_SECRET : undefined, 0);
  clients.push({ email: l.email, cookie, pages: internal ? INTERNAL_PAGES : PAGES });
  if (i === 0) await new Promise((r) => setTimeout(r, 10));
}

type Sample = { kind: "page" | "push"; ms: number; status: number };
const samples: Sample[] = [];

function run(opts: autocannon.Options, kind: Sample["kind"]) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => samples.push({ kind, ms: responseTime, status: statusCode }));
  });
}

let pageSeq = 0;
const pageRequests = clients.map((c, i) => ({
  method: "GET" as const,
  path: c.pages[i % c.pages.length],
  headers: { cookie: c.cookie },
  setupRequest: (req: autocannon.Request) => {
    const client = clients[pageSeq++ % clients.length];
    return { ...req, path: client.pages[pageSeq % client.pages.length], headers: { ...req.headers, cookie: client.cookie } };
  },
}));

let pushSeq = 0;
const T0 = Date.UTC(2026, 10, 30);
const pushBody = () => {
  const n = pushSeq++;
  const lines: string[] = [];
  for (let j = 0; j < EVENTS_PER_PUSH; j++) {
    const i = n * EVENTS_PER_PUSH + j;
    lines.push(JSON.stringify({ ts: new Date(T0 + i).toISOString(), requestId: `bench-${i}`, keyId: `kw_live_bench${i % 40}`, srcIp: "198.51.100.7", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/models/atlas-2/messages", status: 200, bytes: 512 }));
  }
  return `${lines.join("\n")}\n`;
};

console.log(`load: ${DURATION} s, ${clients.length} signed-in page clients (${clients.map((c) => c.email).join(", ")}), ${PUSH_CLIENTS} push clients × ${EVENTS_PER_PUSH} events/request`);
const started = Date.now();
const [pages, pushes] = await Promise.all([
  run({ url: base, connections: PAGE_CLIENTS, duration: DURATION, requests: pageRequests }, "page"),
  run(
    {
      url: `${base}/api/v1/logs`,
      connections: PUSH_CLIENTS,
      duration: DURATION,
      requests: [{ method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" }, setupRequest: (req: autocannon.Request) => ({ ...req, body: pushBody() }) }],
    },
    "push",
  ),
]);
const elapsed = (Date.now() - started) / 1000;
const health = await fetch(`${base}/healthz`);
await stopPortalProcess(portal);

function pct(xs: number[], p: number) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
function report(kind: Sample["kind"], r: autocannon.Result) {
  const mine = samples.filter((s) => s.kind === kind);
  const ok = mine.filter((s) => s.status >= 200 && s.status < 300).length;
  const ms = mine.map((s) => s.ms);
  return {
    requests: mine.length,
    perSecond: Math.round((mine.length / elapsed) * 10) / 10,
    ok,
    non2xx: mine.length - ok,
    errors: r.errors,
    timeouts: r.timeouts,
    p50ms: Math.round(pct(ms, 50)),
    p95ms: Math.round(pct(ms, 95)),
    p99ms: Math.round(pct(ms, 99)),
    maxMs: Math.round(Math.max(...ms)),
  };
}
const pageReport = report("page", pages);
const pushReport = report("push", pushes);

// Every event of every accepted push is stored, exactly once.
const db = new Database(process.env.KEYWARD_DB!, { readonly: true });
const stored = db.prepare("select count(*) as n, count(distinct request_id) as d from log_event_rows where request_id like 'bench-%'").get() as { n: number; d: number };
const integrity = (db.pragma("integrity_check") as { integrity_check: string }[])[0].integrity_check;
db.close();
const expected = pushReport.ok * EVENTS_PER_PUSH;
const sent = pushSeq * EVENTS_PER_PUSH;

const cpu = os.cpus().length;
console.log(`machine: ${cpu} cores, load average before stop ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}, Node ${process.version}`);
console.table({ "page views": pageReport, "log pushes": pushReport });
console.log(`pushed events: ${pushReport.ok} accepted requests × ${EVENTS_PER_PUSH} = ${expected} expected; stored ${stored.n} (${stored.d} distinct); bodies built ${sent} events (requests cut off by the end of the run are not counted)`);
console.log(`events/s stored: ${Math.round(stored.n / elapsed)}; portal answered /healthz after the run: ${health.status}; integrity_check: ${integrity}`);
// Pushes still in flight when the run ended may be stored without their answer being counted.
const lost = stored.d < expected || stored.n !== stored.d || stored.n > sent;
if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
if (lost || pageReport.non2xx || pushReport.non2xx || pageReport.errors || pushReport.errors || health.status !== 200) {
  console.log("FAIL: lost or duplicated events, errors, or the portal stopped answering");
  process.exit(1);
}
console.log("OK: no errors, no lost or duplicated push events");
