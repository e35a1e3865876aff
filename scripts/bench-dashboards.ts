// Benchmark of the dashboards (issue 8, point 5) on the large database from scripts/seed-large.ts:
// starts the built server on it, signs in as each role and runs autocannon against /dashboard (and an
// organisation page with its risk section) with one connection, so that latency ≈ server time.
//   npx remix build && npx tsx scripts/seed-large.ts && npx tsx scripts/bench-dashboards.ts [--seconds 5] [--save DIR]
// Prints each page's Server-Timing (the loader's parts) from a request after the run (warm); --save writes the pages' HTML to DIR.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { DEMO_TOTP_SECRET } from "../app/models/demo-seed-account.server";
import { signInOverHttp } from "./portal-process";

// autocannon ships no types: the part of its API used here.
type Latency = { p50: number; average: number; p97_5: number; p99: number };
type AutocannonResult = { requests: { total: number }; latency: Latency; non2xx: number };
const autocannon = createRequire(import.meta.url)("autocannon") as (opts: { url: string; connections: number; duration: number; headers: Record<string, string> }) => Promise<AutocannonResult>;

const { values } = parseArgs({ options: { db: { type: "string", default: "/tmp/keyward-large.db" }, seconds: { type: "string", default: "5" }, port: { type: "string", default: "3917" }, save: { type: "string" } } });
const PORT = values.port!;
const BASE = `http://localhost:${PORT}`;
const PASSWORD = "keyward-bench-2026";

const server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], {
  env: { ...process.env, KEYWARD_DB: values.db, KEYWARD_DATA: `${values.db}.data`, PORT, NODE_ENV: "production" },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve, reject) => {
  server.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
  server.on("exit", (code) => reject(new Error(`server exited ${code}`)));
});

// A code works once per account and 30-second step: an account's next sign-in takes the next step.
const signIns = new Map<string, number>();
function signIn(email: string): Promise<string> {
  const n = signIns.get(email) ?? 0;
  signIns.set(email, n + 1);
  return signInOverHttp(BASE, email, PASSWORD, DEMO_TOTP_SECRET, n);
}

const cases = [
  { who: "vendor manager", email: "vm@bench.test", path: "/dashboard" },
  { who: "security", email: "security@bench.test", path: "/dashboard" },
  { who: "auditor", email: "auditor@bench.test", path: "/dashboard" },
  { who: "partner admin (10 contractors)", email: "admin@p000.bench.test", path: "/dashboard" },
  { who: "partner member", email: "member@p000.bench.test", path: "/dashboard" },
  { who: "vendor manager", email: "vm@bench.test", path: "/orgs/p000" },
];

/** The server process's CPU time so far (user + system), in ms: robust to a machine shared with other work. */
function serverCpuMs(): number {
  const fields = fs.readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
}

const rows: string[] = [];
try {
  for (const c of cases) {
    const cookie = await signIn(c.email);
    const first = await fetch(`${BASE}${c.path}`, { headers: { Cookie: cookie }, redirect: "manual" });
    if (first.status !== 200) throw new Error(`${c.path} as ${c.who}: ${first.status} ${first.headers.get("Location") ?? ""}`);
    const body = await first.text();
    const bytes = Buffer.byteLength(body);
    if (values.save) fs.writeFileSync(`${values.save}/${c.email.split("@")[0]}${c.path.replaceAll("/", "_")}.html`, body);
    const cpu0 = serverCpuMs();
    const r = await autocannon({ url: `${BASE}${c.path}`, connections: 1, duration: Number(values.seconds), headers: { cookie } });
    const cpuPerRequest = (serverCpuMs() - cpu0) / r.requests.total;
    if (r.non2xx) throw new Error(`${c.path} as ${c.who}: ${r.non2xx} non-2xx answers`);
    const warm = await fetch(`${BASE}${c.path}`, { headers: { Cookie: cookie }, redirect: "manual" });
    await warm.arrayBuffer();
    console.error(`${c.who} ${c.path}: Server-Timing (warm) ${warm.headers.get("Server-Timing") || "(none)"}`);
    const l = r.latency;
    rows.push(`| ${c.who} | \`${c.path}\` | ${r.requests.total} | ${cpuPerRequest.toFixed(1)} | ${l.p50} | ${l.average.toFixed(1)} | ${l.p99} | ${(bytes / 1024).toFixed(0)} KB |`);
    console.error(rows[rows.length - 1]);
  }
} finally {
  server.kill();
}
console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(", ")} on ${os.cpus().length} cores`);
console.log("| role | page | requests | server CPU ms/request | p50 ms | mean ms | p99 ms | page size |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
