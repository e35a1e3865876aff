import { eventRefOf, insertLogEvents } from "../../db/event-store";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { getFlag } from "~/models/flag.server";
import { createCredential } from "../support/credential-factory";
import { actorFor, tenancyWorld } from "../support/factories";
import { createFlag } from "../support/flag-factory";

// An address-based rule (ip_probe) keeps samples of the ADDRESS's requests, which can include requests
// made with other tenants' keys from the same address. The partner owning the flagged credential sees
// only the samples that are its own credential's requests; security sees them all.

describe("a flag's evidence for a partner", () => {
  it("drops samples that are not the partner's own credential's requests", async () => {
    const w = await tenancyWorld();
    const mine = createCredential(w.partner.id);
    const theirs = createCredential(w.other.id);
    const t0 = Date.now() - 120_000;
    const ev = (i: number, credentialId: string, keyRef: string, path: string) => ({ eventKey: 7_000_000 + i, importRef: eventRefOf(getDb().$client, "import", "imp-evidence"), ts: t0 + i * 1000, keyRef, credentialRef: eventRefOf(getDb().$client, "credential", credentialId), srcIp: "203.0.113.66", userAgent: "curl/8", method: "GET", path, status: 404 });
    insertLogEvents(getDb().$client, [ev(1, mine.id, mine.keyId, "/v1/mine-probe"), ev(2, theirs.id, theirs.keyId, "/v1/models/their-secret-model/messages")]);
    const sample = (i: number, path: string) => ({ ts: t0 + i * 1000, method: "GET", path, status: 404, srcIp: "203.0.113.66", userAgent: "curl/8" });
    const flag = createFlag({ rule: "ip_probe", credentialId: mine.id, orgId: w.partner.id, srcIp: "203.0.113.66", firstSeen: t0, lastSeen: t0 + 2000, evidence: [sample(1, "/v1/mine-probe"), sample(2, "/v1/models/their-secret-model/messages")] });

    const partnerView = getFlag(actorFor(w.partnerAdmin.id), flag.id)!;
    expect(partnerView.flag.evidence.map((e) => e.path)).toEqual(["/v1/mine-probe"]);
    expect(JSON.stringify(partnerView)).not.toContain("their-secret-model");

    const securityView = getFlag(actorFor(w.vm.id), flag.id)!;
    expect(securityView.flag.evidence.map((e) => e.path)).toEqual(["/v1/mine-probe", "/v1/models/their-secret-model/messages"]);
  });
});
