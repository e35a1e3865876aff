import { describe, expect, it } from "vitest";
import { ALL_RULES } from "~/domain/detection/all-rules";
import { createEngine, groupBy, type EngineContext } from "~/domain/detection/engine";
import type { CatalogModel, CredentialFacts, DetectionEvent, Finding } from "~/domain/detection/types";
import { generateTraffic } from "../../../scripts/gen-traffic";

// observeBatch runs the per-credential rules over a batch grouped by credential: it must find exactly
// what one pass in event order finds, in the same order. Checked on the labelled day of traffic that
// eval-detection uses (legitimate habits plus an attack of every rule's kind).

const g = generateTraffic({ seed: 7, credentials: 40 });
const catalog: CatalogModel[] = g.inventory.models.map((m) => ({ name: m.name, status: m.status as CatalogModel["status"], aliases: m.aliases }));
const endpoints = g.inventory.endpoints.map((e) => ({ name: e.name, re: new RegExp(`^${e.path.replace("{model}", "[^/]+")}$`) }));
const facts = new Map<string, CredentialFacts>(
  g.inventory.credentials.map((c): [string, CredentialFacts] => {
    const id = `cred-${c.keyId}`;
    const status = "status" in c && c.status === "revoked" ? "revoked" : "active";
    const changed = "revokedAt" in c && c.revokedAt ? Date.parse(c.revokedAt) : null;
    return [c.keyId, { id, orgId: c.org, status, issuedAt: Date.parse(c.issuedAt), expiresAt: null, grantModels: c.grant, grantEndpoints: ["*"], statusChangedAt: changed }];
  }),
);
const byId = new Map([...facts.values()].map((f) => [f.id, f]));
const ctx: EngineContext = { catalog, credential: (id) => byId.get(id) ?? null, baseline: () => null, isRegisteredKey: (k) => facts.has(k) };

const events: DetectionEvent[] = g.day.map((e) => ({
  ts: e.ts,
  keyRef: e.keyId,
  credentialId: e.keyId !== null ? (facts.get(e.keyId)?.id ?? null) : null,
  srcIp: e.srcIp,
  userAgent: e.userAgent,
  method: e.method,
  path: e.path,
  endpoint: endpoints.find((x) => x.re.test(e.path.split("?")[0]))?.name ?? null,
  model: e.model,
  status: e.status,
  ...(e.secretHeader ? { secretsStripped: ["authorization"] } : {}),
}));

const line = (f: Finding) => JSON.stringify(f);

function inOrder(): string[] {
  const engine = createEngine();
  return events.flatMap((e) => engine.observe(e, ctx).findings.map(line));
}

/** A batch as the import hands it over: grouped by credential (those without one last), and the indices in event order. */
function groupedBatch(batch: DetectionEvent[]): { events: DetectionEvent[]; order: number[] } {
  const groups = groupBy(batch, (e) => e.credentialId);
  const withNone = groups.findIndex((g) => batch[g[0]].credentialId === null);
  if (withNone >= 0) groups.push(...groups.splice(withNone, 1));
  const positions = groups.flat();
  const order: number[] = [];
  positions.forEach((i, pos) => (order[i] = pos));
  return { events: positions.map((i) => batch[i]), order };
}

function batched(size: number, grouped = false): string[] {
  const engine = createEngine();
  const out: string[] = [];
  for (let i = 0; i < events.length; i += size) {
    const given = events.slice(i, i + size);
    const { events: batch, order } = grouped ? groupedBatch(given) : { events: given, order: undefined };
    const r = engine.observeBatch(batch, ctx, undefined, order);
    expect(r.errors).toEqual([]);
    for (const { index, finding } of r.findings) {
      expect(finding.ts).toBe(batch[index].ts);
      out.push(line(finding));
    }
  }
  return out;
}

describe("engine.observeBatch", () => {
  const expected = inOrder();

  it("finds what one pass in event order finds, in the same order, whatever the batch size", () => {
    // The day raises findings of most rules, per credential and per address: the comparison means something.
    const rules = new Set(expected.map((l) => JSON.parse(l).rule as string));
    expect(rules.size).toBeGreaterThanOrEqual(12);
    expect(rules).toContain("ip_probe");
    expect(rules).toContain("error_burst");
    expect(rules).toContain("path_enumeration");
    for (const size of [1, 2_500, events.length]) expect(batched(size)).toEqual(expected);
    // Grouped by credential beforehand, with the event order given.
    expect(batched(97, true)).toEqual(expected);
  }, 60_000); // four runs over a day of 100,000 events: about 3 s alone, more under a loaded CI

  it("hands an address rule the address's events in event order when the batch comes grouped by credential", () => {
    // Two credentials probe from one address, turn by turn: grouped by credential, the address's events
    // are all of a's, then all of b's. ip_probe's leaky bucket must still see them in time order.
    const ipProbe = ALL_RULES.filter((m) => m.id === "ip_probe");
    const t0 = events[0].ts;
    const probes = Array.from({ length: 24 }, (_, k): DetectionEvent => ({ ...events[0], credentialId: k % 2 ? "cred-b" : "cred-a", srcIp: "203.0.113.50", ts: t0 + k * 1000, path: `/v1/probe-${k}`, status: 404 }));
    const said = (f: Finding) => `${f.ts - t0} ${f.severity} ${f.summary}`;
    const ordered = createEngine(ipProbe);
    const expected = probes.flatMap((e) => ordered.observe(e, ctx).findings.map(said));
    expect(expected.length).toBeGreaterThan(0);
    const { events: grouped, order } = groupedBatch(probes);
    expect(grouped.map((e) => e.credentialId)).toEqual([...Array(12).fill("cred-a"), ...Array(12).fill("cred-b")]);
    expect(createEngine(ipProbe).observeBatch(grouped, ctx, undefined, order).findings.map(({ finding }) => said(finding))).toEqual(expected);
  });

  it("runs each rule grouped by what its state is kept per, or in event order", () => {
    const by = (kind: string | undefined) => ALL_RULES.filter((m) => m.stateBy === kind).map((m) => m.id).sort();
    expect(by("address")).toEqual(["ip_probe", "scanner_user_agent"]);
    expect(by(undefined)).toEqual(["pattern_guessing"]);
    expect(by("credential")).toHaveLength(13);
    // A rule of each kind sees a batch.
    const seen: Record<string, string[]> = { credential: [], address: [], none: [] };
    const probe = (id: "rate_burst" | "ip_probe" | "pattern_guessing", stateBy: "credential" | "address" | undefined) => ({
      id,
      description: "",
      defaults: {},
      stateBy,
      create: () => ({ id, observe: (e: DetectionEvent) => (seen[stateBy ?? "none"].push(`${e.credentialId}/${e.srcIp}@${e.ts}`), []) }),
    });
    const batch = [
      { ...events[0], credentialId: "a", srcIp: "x", ts: 1 },
      { ...events[0], credentialId: "b", srcIp: "y", ts: 2 },
      { ...events[0], credentialId: null, srcIp: "x", ts: 3 },
      { ...events[0], credentialId: "a", srcIp: "", ts: 4 },
      { ...events[0], credentialId: "b", srcIp: null, ts: 5 },
    ];
    createEngine([probe("rate_burst", "credential"), probe("ip_probe", "address"), probe("pattern_guessing", undefined)]).observeBatch(batch, ctx);
    expect(seen.credential).toEqual(["a/x@1", "a/@4", "b/y@2", "b/null@5", "null/x@3"]);
    expect(seen.address).toEqual(["a/x@1", "null/x@3", "b/y@2", "a/@4", "b/null@5"]);
    expect(seen.none).toEqual(["a/x@1", "b/y@2", "null/x@3", "a/@4", "b/null@5"]);
  });

  it("keeps the stores' sweeps behind the batch's earliest event while it runs grouped", () => {
    // error_burst fires for A, then at most once per 10 min. In the next batch B comes first and fires
    // 29 min on, which lets the gate's sweep run to 29 min; A's burst at 2 min must still be held back.
    const errorBurst = ALL_RULES.filter((m) => m.id === "error_burst");
    const burst = (credentialId: string, from: number) =>
      Array.from({ length: 6 }, (_, k): DetectionEvent => ({ ...events[0], credentialId, keyRef: null, ts: from + k * 1000, path: `/v1/probe-${k}`, status: 404 }));
    const MIN = 60_000;
    const t0 = events[0].ts;
    const batch2 = [...burst("b", t0 + MIN), ...burst("b", t0 + 29 * MIN), ...burst("a", t0 + 2 * MIN)];
    const fired = (findings: { finding: Finding }[]) => findings.map(({ finding: f }) => `${f.credentialId}@${(f.ts - t0) / 1000}`);

    const grouped = createEngine(errorBurst);
    expect(fired(grouped.observeBatch(burst("a", t0), ctx).findings)).toEqual(["a@5"]);
    expect(fired(grouped.observeBatch(batch2, ctx).findings)).toEqual(["b@65", "b@1745"]);

    // As one pass in event order finds them.
    const ordered = createEngine(errorBurst);
    const all = [...burst("a", t0), ...batch2].sort((x, y) => x.ts - y.ts);
    expect(all.flatMap((e) => ordered.observe(e, ctx).findings).map((f) => `${f.credentialId}@${(f.ts - t0) / 1000}`)).toEqual(["a@5", "b@65", "b@1745"]);
  });

  it("groups indices by a key, first appearance first, each group in event order", () => {
    const e = (credentialId: string | null) => ({ ...events[0], credentialId });
    const byCredential = (x: DetectionEvent) => x.credentialId;
    expect(groupBy([e("a"), e("b"), e("a"), e(null), e("b"), e(null)], byCredential)).toEqual([[0, 2], [1, 4], [3, 5]]);
    expect(groupBy([], byCredential)).toEqual([]);
  });
});
