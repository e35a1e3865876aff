import type { AuthzArea } from "../../support/authz-table";

// The authorisation table's rows for the account routes (see tests/routes/authz-matrix.test.ts).
export const accountArea: AuthzArea = { entries: {} };
