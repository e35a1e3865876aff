import type { AuthzArea } from "../../support/authz-table";
import { guarded, NO_ACTION } from "../../support/authz-table";
import { createCredential } from "../../support/credential-factory";
import { createFlag } from "../../support/flag-factory";

// The authorisation table's rows for the flags routes (see tests/routes/authz-matrix.test.ts).
// Reading: every role reads flags (partners only their own organisation's). Acting on a flag: security
// triages, a partner admin responds (an empty form is a 400 for both); everyone else 403; another
// tenant's flag 404. Detection settings: internal readers see them, security changes them.
export const flagsArea: AuthzArea = {
  entries: {
    "routes/flags._index": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },
    "routes/flags.$id": {
      object: "flag",
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
      POST: guarded({ vm: 403, sec: 400, aud: 403, pa: 400, pm: 403, other: 404 }),
    },
    "routes/settings_.detection": {
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403 }),
      POST: guarded({ vm: 403, sec: 400, aud: 403, pa: 403, pm: 403 }),
    },
  },
  seed(world) {
    const cred = createCredential(world.partner.id);
    const flag = createFlag({ credentialId: cred.id, orgId: world.partner.id, srcIp: "198.51.100.7" });
    return { flag: flag.id };
  },
};
