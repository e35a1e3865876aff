import type { Tx } from "../../db/client";
import type { Role } from "~/domain/roles";
import { seedReviewsDemo } from "./campaign-demo.server";
import { seedDemoFlags } from "./demo-seed-flags.server";
import { seedAttestationsDemo } from "./attestation-demo.server";
import { seedAccountDemo } from "./demo-seed-account.server";
import { seedDashboardsDemo } from "./dashboard-demo-seed.server";

// The demo's data beyond organisations, users and credentials, one function per area, run inside the
// seed's single transaction after the credentials are in (app/models/demo-seed.server.ts).

export type DemoTx = Tx;
export type DemoIds = {
  now: Date;
  /** slug → organisation id */
  orgIds: Map<string, string>;
  /** email → user id (demo logins and internal users) */
  userIds: Map<string, string>;
  /** internal role → its demo user's id */
  internalIds: Map<Role, string>;
};

type AreaSeed = (tx: DemoTx, ids: DemoIds) => void;

/** Each area appends its seeder here. */
export const DEMO_AREA_SEEDS: AreaSeed[] = [seedAccountDemo, seedAttestationsDemo, seedDemoFlags, seedDashboardsDemo, (tx, ids) => seedReviewsDemo(tx, ids)];
