import type { AuthzArea } from "../../support/authz-table";

// The authorisation table's rows for the reviews routes (see tests/routes/authz-matrix.test.ts).
export const reviewsArea: AuthzArea = { entries: {} };
