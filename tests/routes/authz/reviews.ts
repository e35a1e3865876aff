import { createCampaign } from "~/models/campaign.server";
import { actorFor } from "../../support/factories";
import { createCredential } from "../../support/credential-factory";
import { guarded, NO_ACTION, NO_ACTION_OBJ, type AuthzArea, type Row } from "../../support/authz-table";

// The authorisation table's rows for the reviews routes (see tests/routes/authz-matrix.test.ts).
// Readers: vendor managers, security, auditors, and a partner's admin for a first-pass campaign holding
// its own items (another tenant's admin: 404). Deciding: vendor managers, security, partner admins (first pass).
const read: Row = guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 403, other: 404 });

export const reviewsArea: AuthzArea = {
  entries: {
    "routes/reviews._index": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 403 }), POST: NO_ACTION },
    "routes/reviews.new": { GET: guarded({ vm: 200, sec: 403, aud: 403, pa: 403, pm: 403 }), POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403 }) },
    "routes/reviews.$id": { object: "campaign", GET: read, POST: guarded({ vm: 400, sec: 400, aud: 403, pa: 400, pm: 403, other: 404 }) },
    "routes/reviews.$id_.report": { object: "campaign", GET: read, POST: NO_ACTION_OBJ },
    "routes/reviews.$id_.report[.]csv": { object: "campaign", GET: read, POST: NO_ACTION_OBJ },
    "routes/reviews.$id_.report[.]json": { object: "campaign", GET: read, POST: NO_ACTION_OBJ },
  },
  seed(world) {
    createCredential(world.partner.id, { label: "Reviewed key" });
    const today = new Date().toISOString().slice(0, 10);
    const r = createCampaign({ actor: actorFor(world.vm.id), ip: null }, { name: "Authz review", orgs: [world.partner.slug], tiers: [], models: [], firstPass: true, mode: "full", undecidedRule: "keep", opensOn: today, dueOn: "2099-01-01" });
    if (!r.ok) throw new Error("campaign seed failed");
    return { campaign: r.value.id };
  },
};
