import type { AuthzArea } from "../../support/authz-table";

// The authorisation table's rows for the dashboards routes (see tests/routes/authz-matrix.test.ts).
export const dashboardsArea: AuthzArea = { entries: {} };
