import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { getJwks } from "~/jwt.server";
import { ensureReceipt } from "~/models/attestation-receipt.server";
import { acceptedAttestation } from "../support/attestation-factory";
import { actorFor, createOrg, createUser } from "../support/factories";
import { runShell } from "../support/run-process";

// `keyward verify-receipt` on this test file's database and data folder (its signing keys).
function cli(args: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runShell(`"${process.execPath}" --import tsx scripts/keyward.ts verify-receipt ${args}`, { env: { ...process.env, NODE_ENV: "test" } });
}

describe("keyward verify-receipt", () => {
  test("accepts a genuine receipt (portal keys or a JWKS file) and rejects one with a byte changed", async () => {
    const vm = actorFor((await createUser({ role: "vendor_manager" })).id);
    const org = createOrg({ kind: "partner", slug: "cli-receipts" });
    const admin = actorFor((await createUser({ role: "partner_admin", orgId: org.id })).id);
    const att = await acceptedAttestation(vm, admin, org.slug);
    const receipt = (await ensureReceipt(att.id))!; // the stored one
    const dir = process.env.KEYWARD_DATA!;
    fs.mkdirSync(dir, { recursive: true });
    const good = path.join(dir, "good.jws");
    const bad = path.join(dir, "bad.jws");
    const jwks = path.join(dir, "jwks.json");
    fs.writeFileSync(good, receipt);
    const [h, p, s] = receipt.split(".");
    fs.writeFileSync(bad, `${h}.${p.slice(0, 50)}${p[50] === "Q" ? "R" : "Q"}${p.slice(51)}.${s}`);
    fs.writeFileSync(jwks, JSON.stringify(await getJwks()));

    const ok = await cli(`"${good}" --json`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, matchesRecord: true, receipt: { attestationId: att.id, org: { slug: "cli-receipts" }, answersSha256: att.answersSha256 } });
    const viaJwks = await cli(`"${good}" --jwks "${jwks}"`);
    expect(viaJwks.code, viaJwks.stderr).toBe(0);
    expect(viaJwks.stdout).toContain("receipt valid");
    const tampered = await cli(`"${bad}"`);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/receipt NOT valid/);
    const missing = await cli(`"${dir}/nope.jws"`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
  }, 60_000);
});
