import { hash } from "@node-rs/argon2";
import { getDb } from "../../db/client";
import { organizations, users } from "../../db/schema";
import { twoFactors } from "../../db/schema-account";
import { newTotpSecret, requiresTwoFactor } from "../../app/domain/two-factor";
import { getActor } from "../../app/models/user.server";
import type { Role } from "../../app/domain/roles";
import type { Actor } from "../../app/domain/actor";

let n = 0;
const next = () => `${Date.now().toString(36)}${(n++).toString(36)}`;

// Fast hashing for tests only (the app uses lucia's recommended parameters).
const passwordCache = new Map<string, string>();
async function quickHash(password: string) {
  if (!passwordCache.has(password)) passwordCache.set(password, await hash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 }));
  return passwordCache.get(password)!;
}

export const TEST_PASSWORD = "correct horse battery staple";

export function createOrg(overrides: Partial<typeof organizations.$inferInsert> = {}) {
  const slug = overrides.slug ?? `org-${next()}`;
  const row = { id: crypto.randomUUID(), slug, name: overrides.name ?? `Org ${slug}`, kind: "partner" as const, tier: "standard" as const, status: "active" as const, ...overrides };
  getDb().insert(organizations).values(row).run();
  return row;
}

/**
 * A user. Roles the policy requires a second factor of (internal roles) are enrolled with a fresh TOTP
 * secret unless `twoFactor: false`; tests/support/app.ts's login() computes their codes.
 */
export async function createUser(opts: {
  role: Role;
  orgId?: string | null;
  email?: string;
  name?: string;
  password?: string;
  status?: "invited" | "active" | "deactivated";
  twoFactor?: boolean;
}) {
  const email = opts.email ?? `${opts.role}-${next()}@example.test`;
  const id = crypto.randomUUID();
  getDb()
    .insert(users)
    .values({
      id,
      email,
      name: opts.name ?? email.split("@")[0],
      role: opts.role,
      orgId: opts.orgId ?? null,
      status: opts.status ?? "active",
      passwordHash: opts.status === "invited" ? null : await quickHash(opts.password ?? TEST_PASSWORD),
    })
    .run();
  if (opts.twoFactor ?? (requiresTwoFactor(opts.role) && opts.status !== "invited")) {
    getDb().insert(twoFactors).values({ userId: id, secret: newTotpSecret(), enabledAt: new Date() }).run();
  }
  return { id, email, password: opts.password ?? TEST_PASSWORD };
}

export function actorFor(userId: string): Actor {
  const actor = getActor(userId);
  if (!actor) throw new Error(`no active user ${userId}`);
  return actor;
}

/** A partner with one contractor, and a second unrelated partner: the usual tenancy fixture. */
export async function tenancyWorld() {
  const partner = createOrg({ kind: "partner", slug: `partner-${next()}` });
  const contractor = createOrg({ kind: "contractor", parentId: partner.id, slug: `contractor-${next()}` });
  const other = createOrg({ kind: "partner", slug: `other-${next()}` });
  const vm = await createUser({ role: "vendor_manager" });
  const partnerAdmin = await createUser({ role: "partner_admin", orgId: partner.id });
  const partnerMember = await createUser({ role: "partner_member", orgId: partner.id });
  const contractorAdmin = await createUser({ role: "partner_admin", orgId: contractor.id });
  const otherAdmin = await createUser({ role: "partner_admin", orgId: other.id });
  return { partner, contractor, other, vm, partnerAdmin, partnerMember, contractorAdmin, otherAdmin };
}
