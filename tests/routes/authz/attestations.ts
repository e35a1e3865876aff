import type { AuthzArea } from "../../support/authz-table";

// The authorisation table's rows for the attestations routes (see tests/routes/authz-matrix.test.ts).
export const attestationsArea: AuthzArea = { entries: {} };
