import type { AuthzArea } from "../../support/authz-table";

// The authorisation table's rows for the flags routes (see tests/routes/authz-matrix.test.ts).
export const flagsArea: AuthzArea = { entries: {} };
