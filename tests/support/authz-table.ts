import type { tenancyWorld } from "./factories";

// The authorisation matrix's vocabulary (tests/routes/authz-matrix.test.ts), shared by the per-area
// tables in tests/routes/authz/*.ts so that each area lists its own routes.

/**
 * "login": 302 to /login?redirectTo=<the requested path>. 302: any other redirect.
 * 400: validation (the actor got past the guard). 405: no action (or the bearer API's GET).
 */
export type Outcome = "login" | 200 | 302 | 400 | 401 | 403 | 404 | 405 | 410;

export const ACTORS = {
  anon: "anonymous",
  vm: "vendor_manager",
  sec: "security",
  aud: "auditor",
  pa: "partner_admin (own tenant)",
  pm: "partner_member (own tenant)",
  other: "partner_admin of another tenant",
} as const;
export type ActorKey = keyof typeof ACTORS;

/** One outcome per actor. `other` only (and always) for routes with an object param. */
export type Row = Record<Exclude<ActorKey, "other">, Outcome> & { other?: Outcome };

/** The object a param route is requested for ("org", "credential", …): owned by tenancyWorld's partner org, or global. */
export type Entry = { object?: string; GET: Row; POST: Row } | { skip: string };

export type World = Awaited<ReturnType<typeof tenancyWorld>>;

/** One area's routes and the objects its param routes are requested for (created once, before the cases run). */
export type AuthzArea = { entries: Record<string, Entry>; seed?: (world: World) => Promise<Record<string, string>> | Record<string, string> };

// Shorthands for the commonest rows.
export const all = (o: Outcome, other = false): Row => ({ anon: o, vm: o, sec: o, aud: o, pa: o, pm: o, ...(other ? { other: o } : {}) });
export const guarded = (o: Omit<Row, "anon">): Row => ({ anon: "login", ...o });
export const NO_ACTION = all(405);
export const NO_ACTION_OBJ = all(405, true);
