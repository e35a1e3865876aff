import { twoFactors } from "../../db/schema-account";
import { requiresTwoFactor } from "~/domain/two-factor";
import type { DemoIds, DemoTx } from "./demo-seed-areas.server";

/**
 * The demo's internal accounts (vendor manager, security, auditor) have two-factor sign-in on with this
 * PUBLISHED secret (printed by `keyward seed-demo`, in the README): add it to any authenticator app.
 * A demo secret like the demo password: never seed a production database.
 */
export const DEMO_TOTP_SECRET = "KEYWARDDEMOTOTPSECRETKEYWARDDEMO";

export function seedAccountDemo(tx: DemoTx, ids: DemoIds) {
  for (const [role, userId] of ids.internalIds) {
    if (!requiresTwoFactor(role)) continue;
    tx.insert(twoFactors).values({ userId, secret: DEMO_TOTP_SECRET, enabledAt: ids.now, createdAt: ids.now }).run();
  }
}
