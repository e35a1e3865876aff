// Detection engine alone on the import benchmark's traffic (no database): time per rule and in total.
//   npx tsx scripts/bench-detection.ts [--lines 100000] [--rule ip_probe[,…]] [--skip rule,…] [--rounds 3] [--no-per-rule] [--batch 25000] [--dump FILE]
// --dump FILE: write every finding (rule, subject, ts, severity, summary, sample) of one run, one JSON
// line each, instead of timing: a change to the engine must leave this file byte-identical.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ALL_RULES } from "../app/domain/detection/all-rules";
import { createEngine, type EngineContext } from "../app/domain/detection/engine";
import type { CatalogModel, CredentialFacts, DetectionEvent } from "../app/domain/detection/types";
import { flatCopy } from "../app/domain/flat-copy";
import { benchTraffic } from "./bench-traffic";

const { values } = parseArgs({ options: { lines: { type: "string", default: "100000" }, rule: { type: "string" }, rounds: { type: "string", default: "3" }, dump: { type: "string" }, "no-per-rule": { type: "boolean", default: false }, skip: { type: "string" }, batch: { type: "string", default: "25000" } } });
const N = Number(values.lines);
/** The import benchmark's requests (the same seeded traffic), as JSON lines of detection events. */
function lines(): string[] {
  const out: string[] = [];
  for (const q of benchTraffic(N)) out.push(JSON.stringify({ ts: q.ts, keyRef: q.keyId, srcIp: q.srcIp, userAgent: q.userAgent, method: q.method, path: q.path, status: q.status, endpoint: q.endpoint, model: q.model }));
  return out;
}

const catalog: CatalogModel[] = [
  { name: "atlas-2", status: "ga", aliases: [] },
  { name: "atlas-2-mini", status: "ga", aliases: [] },
  { name: "atlas-embed-1", status: "ga", aliases: [] },
  { name: "mythos-preview", status: "restricted", aliases: [] },
  { name: "orion-1", status: "unreleased", aliases: ["capybara"] },
];
const issuedAt = Date.parse("2026-10-01T00:00:00Z");
const facts = new Map<string, CredentialFacts>();
const ctx: EngineContext = {
  catalog,
  // One facts object per credential for the whole run, as app/models/detection.server.ts hands them over.
  credential: (id) => {
    let f = facts.get(id);
    if (!f) facts.set(id, (f = { id, orgId: "org", status: "active", issuedAt, expiresAt: null, grantModels: ["@ga"], grantEndpoints: ["*"] }));
    return f;
  },
  baseline: () => null,
  isRegisteredKey: () => true,
};

const raw = lines();
const ids = new Map<string, string>();
function events(from = 0, to = raw.length): DetectionEvent[] {
  // As the inserting thread hands its rules a batch: fresh objects, one string object per distinct value
  // within the batch (its string table) and new ones in the next batch, credential ids shared (the
  // import's lookup). With strings and objects fresh per event, as this tool had them before, all rules
  // measured 12-15 µs per event against 5-8 µs: each new string is hashed again on its first lookup. (The
  // parse worker's pattern_guessing does get each parsed line's own strings.)
  const table = new Map<string, string>();
  const str = (x: string | null): string | null => {
    if (x === null) return null;
    let v = table.get(x);
    if (v === undefined) table.set(x, (v = x));
    return v;
  };
  return raw.slice(from, to).map((l) => {
    const o = JSON.parse(l);
    let id = ids.get(o.keyRef);
    if (!id) ids.set(o.keyRef, (id = flatCopy(`cred-${o.keyRef}`))); // a flat string, as read from the database
    // Every field lines() writes (a field added there must be added here).
    return { ts: o.ts, keyRef: str(o.keyRef), credentialId: id, srcIp: str(o.srcIp), userAgent: str(o.userAgent), method: str(o.method) as string, path: str(o.path) as string, endpoint: str(o.endpoint), model: str(o.model), status: o.status };
  });
}

const skip = new Set((values.skip ?? "").split(","));
const modules = (values.rule ? ALL_RULES.filter((m) => values.rule?.split(",").includes(m.id)) : ALL_RULES).filter((m) => !skip.has(m.id));
const per: Record<string, number> = {};
// As the import runs: events a batch at a time (--batch, the import's 25,000 by default; 0: one batch of
// every event), each batch observed while it is fresh (engine.observeBatch, as the inserting thread does;
// the import's batches also come made in credential order, with their event order beside, and these do not).
const batch = Number(values.batch) || raw.length;
if (values.dump) {
  const engine = createEngine(modules);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += batch) {
    const r = engine.observeBatch(events(i, i + batch), ctx);
    for (const { finding: f } of r.findings) out.push(JSON.stringify({ rule: f.rule, credentialId: f.credentialId, srcIp: f.srcIp, keyRef: f.keyRef, ts: f.ts, severity: f.severity, windowMs: f.windowMs, summary: f.summary, sample: f.sample }));
    for (const x of r.errors) out.push(JSON.stringify({ error: x }));
  }
  writeFileSync(values.dump, out.join("\n") + "\n");
  console.log(JSON.stringify({ dump: values.dump, findings: out.length }));
  process.exit(0);
}
// Only observing is timed (CPU time).
function observeAll(engine: ReturnType<typeof createEngine>): { seconds: number; findings: number } {
  let findings = 0;
  let s = 0;
  for (let i = 0; i < raw.length; i += batch) {
    const evs = events(i, i + batch);
    const c0 = process.cpuUsage();
    findings += engine.observeBatch(evs, ctx).findings.length;
    const cpu = process.cpuUsage(c0);
    s += (cpu.user + cpu.system) / 1e6;
  }
  return { seconds: s, findings };
}
for (let round = 0; round < Number(values.rounds); round++) {
  const { seconds: s, findings } = observeAll(createEngine(modules));
  console.log(JSON.stringify({ round, rules: values.rule ?? "all", seconds: +s.toFixed(3), usPerEvent: +((s * 1e6) / N).toFixed(2), findings }));
  if (!values.rule && !values["no-per-rule"] && round === Number(values.rounds) - 1) {
    // CPU time, best of 3 per rule: on a shared machine the minimum varies far less than a single run.
    for (const m of ALL_RULES) {
      let best = Infinity;
      for (let r = 0; r < 3; r++) best = Math.min(best, observeAll(createEngine([m])).seconds * 1e6 / N);
      per[m.id] = +best.toFixed(2);
    }
    console.log(JSON.stringify(per));
  }
}
