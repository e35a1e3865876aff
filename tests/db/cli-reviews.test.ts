import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildReport, signedReportJson } from "~/models/campaign-report.server";
import { createCampaign, getCampaign } from "~/models/campaign.server";
import { actorFor, tenancyWorld } from "../support/factories";
import { createCredential } from "../support/credential-factory";
import { runKeyward } from "../support/run-process";

// `keyward campaigns --json` lists the campaign with its progress; `keyward verify-report <file>` on a report signed by this portal (same KEYWARD_DATA keys): intact
// → exit 0; one changed byte in the report or the signature → exit 1 with the reason.

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runKeyward(args);
}

describe("keyward verify-report and campaigns", () => {
  test("verifies an intact report and rejects one changed byte", async () => {
    const w = await tenancyWorld();
    createCredential(w.partner.id, { label: "Verified key" });
    const vm = actorFor(w.vm.id);
    const r = createCampaign({ actor: vm, ip: null }, { name: "CLI review", orgs: [w.partner.slug], tiers: [], models: [], firstPass: false, mode: "full", undecidedRule: "keep", opensOn: "2026-01-01", dueOn: "2026-02-01" });
    if (!r.ok) throw new Error("no campaign");
    const signed = await signedReportJson(buildReport(getCampaign(vm, r.value.id)!));
    const dir = path.dirname(process.env.KEYWARD_DB!);
    const good = path.join(dir, "report.json");
    const bad = path.join(dir, "report-edited.json");
    fs.writeFileSync(good, signed);
    fs.writeFileSync(bad, signed.replace("Verified key", "Verified kez"));
    const [ok, edited, list] = await Promise.all([cli(["verify-report", good, "--json"]), cli(["verify-report", bad]), cli(["campaigns", "--json"])]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: r.value.id, name: "CLI review", status: "open", total: 1, decided: 0, overdueItems: 1, revocations: 0 })]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, campaignId: r.value.id, items: 1 });
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain("report NOT verified: the report was changed after it was signed");
  }, 60_000);
});
