import { all, guarded, type AuthzArea } from "../../support/authz-table";

// The authorisation table's rows for the account routes (see tests/routes/authz-matrix.test.ts).
// Every signed-in user manages their own second factor: no permission, no object. The matrix's
// internal users are enrolled (tests/support/factories.ts), partner users are not.
export const accountArea: AuthzArea = {
  entries: {
    "routes/account": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: guarded({ vm: 400, sec: 400, aud: 400, pa: 400, pm: 400 }) },
    // Enrolled users see "already on"; the empty form is refused before anything else.
    "routes/account_.two-factor": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: guarded({ vm: 400, sec: 400, aud: 400, pa: 400, pm: 400 }) },
    // Only with the password step's pending cookie: without it, back to /login (signed in or not).
    "routes/login_.two-factor": { GET: all(302), POST: all(302) },
  },
};
