import { guarded, NO_ACTION, type AuthzArea } from "../../support/authz-table";

// The authorisation table's rows for the dashboards routes (see tests/routes/authz-matrix.test.ts).
// /dashboard itself is in the core table. Evidence packs: export:evidence:any (internal roles only).
export const dashboardsArea: AuthzArea = {
  entries: {
    // every role: the ranking of the organisations it may see (a partner: its own family)
    "routes/dashboard_.risk": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },
    "routes/evidence": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403 }), POST: NO_ACTION },
    // GET goes to the form; an empty POST goes back to the form (302) with check=1, where it is explained.
    "routes/evidence[.]zip": {
      GET: guarded({ vm: 302, sec: 302, aud: 302, pa: 403, pm: 403 }),
      POST: guarded({ vm: 302, sec: 302, aud: 302, pa: 403, pm: 403 }),
    },
  },
};
