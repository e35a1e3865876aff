import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, seedDemo } from "~/models/demo-seed.server";
import { listCampaigns } from "~/models/campaign-progress.server";
import { getUserByEmail } from "~/models/user.server";
import { login, request } from "../support/app";
import { actorFor } from "../support/factories";

// The demo's campaigns render for each role that may read them, with the partner's view limited to its own items.
describe("access reviews on the demo data", () => {
  it("lists, shows and reports the demo campaigns for a vendor manager, an auditor and a partner admin", async () => {
    await seedDemo({ actor: null, ip: null, now: new Date() });
    const vmUser = getUserByEmail("vm@keyward.demo")!;
    const { rows } = listCampaigns(actorFor(vmUser.id));
    expect(rows).toHaveLength(2);
    const open = rows.find((r) => r.status === "open")!;
    let ip = 50;
    for (const email of ["vm@keyward.demo", "auditor@keyward.demo", "admin@northwind.demo"]) {
      const cookie = await login(email, DEMO_PASSWORD, `192.0.2.${ip++}`);
      const list = await request("/reviews", { cookie });
      expect(list.status, email).toBe(200);
      for (const path of [`/reviews/${open.id}`, `/reviews/${open.id}?f=unused&f=shared`, `/reviews/${open.id}/report`, `/reviews/${open.id}/report.csv`]) {
        const res = await request(path, { cookie });
        expect(res.status, `${email} ${path}`).toBe(200);
        const body = await res.text();
        if (email.endsWith("northwind.demo")) expect(body.includes("helix-bio") || body.includes("Helix Bio"), `${email} ${path} shows another org`).toBe(false);
      }
    }
  });
});
