import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { logImports, organizations, users } from "../../db/schema";
import { eq } from "drizzle-orm";
import { issueApiToken } from "~/api-auth.server";
import { login, request } from "../support/app";
import { actorFor, createUser, tenancyWorld } from "../support/factories";
import { createCredential } from "../support/credential-factory";
import { appRoutes, loadBuild, urlFor, type AppRoute } from "../support/authz-routes";
import { ACTORS, all, guarded, NO_ACTION, NO_ACTION_OBJ, type ActorKey, type AuthzArea, type Entry, type Outcome, type World } from "../support/authz-table";
import { accountArea } from "./authz/account";
import { attestationsArea } from "./authz/attestations";
import { dashboardsArea } from "./authz/dashboards";
import { flagsArea } from "./authz/flags";
import { reviewsArea } from "./authz/reviews";

// Issue 9, point 1: the authorisation matrix. The route list comes from the BUILT app (run
// `npx remix build` first), so a route added to app/routes without a row in TABLE fails this file.
// Every loader is requested with GET and every action with POST (same Origin, EMPTY form: the guard
// must answer before validation) as each actor; the outcome must be the one in TABLE.

/**
 * THE TABLE: every route id in build.routes → expected outcome of its loader (GET) and its action
 * (POST, empty form) for each actor. Derived from app/domain/permissions.ts and each route's guard.
 */
const CORE: Record<string, Entry> = {
  root: { skip: "the root loader runs under every page and is covered by them (it only reads the user, no guard)" },

  // Public and infrastructure routes.
  "routes/_index": { GET: all(302), POST: NO_ACTION }, // → /dashboard signed in, plain /login anonymous
  // Signed in, both redirect on: the action's 400 is followed by the page's loader, which redirects a signed-in user.
  "routes/login": { GET: { ...all(302), anon: 200 }, POST: { ...all(302), anon: 400 } },
  "routes/logout": { GET: all(302), POST: all(302) }, // POST is run with a throwaway session per actor
  "routes/healthz": { GET: all(200), POST: NO_ACTION },
  "routes/[.well-known].jwks[.]json": { GET: all(200), POST: NO_ACTION },
  "routes/invite.$token": { object: "invite", GET: all(410, true), POST: all(410, true) }, // a garbage token
  "routes/api.v1.logs": { GET: all(405), POST: all(401) }, // bearer only: a session cookie counts for nothing

  // Signed-in pages.
  "routes/dashboard": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },
  "routes/audit": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403 }), POST: NO_ACTION },
  "routes/catalog": {
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }),
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403 }),
  },
  "routes/settings": {
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403 }),
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403 }),
  },
  // API tokens are security's (read: security, auditor); vendor managers have no token permission at all.
  "routes/settings_.tokens": {
    GET: guarded({ vm: 403, sec: 200, aud: 200, pa: 403, pm: 403 }),
    POST: guarded({ vm: 403, sec: 400, aud: 403, pa: 403, pm: 403 }),
  },
  "routes/settings_.webhooks": {
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403 }),
    POST: guarded({ vm: 400, sec: 400, aud: 403, pa: 403, pm: 403 }),
  },

  // Organisations.
  "routes/orgs._index": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },
  // Without intent=sponsor the form is "create": only vendor managers (a partner admin sponsors with intent=sponsor).
  "routes/orgs.new": {
    GET: guarded({ vm: 200, sec: 403, aud: 403, pa: 200, pm: 403 }),
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403 }),
  },
  "routes/orgs.$slug": {
    object: "org",
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
    // Only vendor managers change status (update:org:any / approve:org:any). See KNOWN_BUGS.
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403, other: 404 }),
  },
  "routes/orgs.$slug_.edit": {
    object: "org",
    GET: guarded({ vm: 200, sec: 403, aud: 403, pa: 403, pm: 403, other: 404 }),
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403, other: 404 }),
  },
  "routes/orgs.$slug_.entitlements": {
    object: "org",
    GET: guarded({ vm: 200, sec: 403, aud: 403, pa: 403, pm: 403, other: 404 }),
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403, other: 404 }),
  },

  // Users.
  "routes/users._index": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },
  "routes/users.new": {
    GET: guarded({ vm: 200, sec: 403, aud: 403, pa: 200, pm: 403 }),
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 400, pm: 403 }),
  },
  "routes/users.$id": {
    object: "user",
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
    // Another tenant's user must be 404 before anything else. See KNOWN_BUGS.
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 400, pm: 403, other: 404 }),
  },

  // Credentials.
  "routes/credentials._index": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },
  "routes/credentials[.]csv": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },
  "routes/credentials.new": {
    GET: guarded({ vm: 200, sec: 403, aud: 403, pa: 200, pm: 200 }),
    POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 400, pm: 400 }),
  },
  "routes/credentials.$keyId": {
    object: "credential",
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
    // The auditor may take no lifecycle action at all: 403 before the form is read.
    POST: guarded({ vm: 400, sec: 400, aud: 403, pa: 400, pm: 400, other: 404 }),
  },
  "routes/rotations": { GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }), POST: NO_ACTION },

  // Log imports: internal only; uploading is security's.
  "routes/imports._index": {
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403 }),
    POST: guarded({ vm: 403, sec: 400, aud: 403, pa: 403, pm: 403 }),
  },
  "routes/imports.$id": {
    object: "import",
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403, other: 403 }),
    POST: guarded({ vm: 403, sec: 400, aud: 403, pa: 403, pm: 403, other: 403 }),
  },
  "routes/imports.$id_.progress": {
    object: "import",
    GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403, other: 403 }),
    POST: NO_ACTION_OBJ,
  },
};

/** The areas that keep their rows in tests/routes/authz/<area>.ts. */
const AREAS: AuthzArea[] = [attestationsArea, reviewsArea, flagsArea, dashboardsArea, accountArea];
const TABLE: Record<string, Entry> = Object.assign({}, CORE, ...AREAS.map((a) => a.entries));

/**
 * Cases where the app answers differently from TABLE today: a bug reported to the lead, not an
 * expectation. The case asserts today's answer (so the suite stays green) and FAILS once the bug is
 * fixed, to have the entry removed.
 */
const KNOWN_BUGS: { route: string; method: "GET" | "POST"; actors: ActorKey[]; actual: Outcome; finding: string }[] = [];

// ---------------------------------------------------------------------------------------------

const build = await loadBuild();
const ROUTES = appRoutes(build);
const byId = new Map(ROUTES.map((r) => [r.id, r]));

let world: World;
const cookies: Partial<Record<ActorKey, string>> = {};
const objects: Record<string, string> = {};
const actorUser = (w: World): Record<Exclude<ActorKey, "anon">, { email: string; password: string }> => ({
  vm: w.vm,
  sec: secUser,
  aud: audUser,
  pa: w.partnerAdmin,
  pm: w.partnerMember,
  other: w.otherAdmin,
});
let secUser: { id: string; email: string; password: string };
let audUser: { id: string; email: string; password: string };
let ipSeq = 0;
const nextIp = () => `192.0.2.${100 + (ipSeq++ % 150)}`;

beforeAll(async () => {
  world = await tenancyWorld();
  secUser = await createUser({ role: "security" });
  audUser = await createUser({ role: "auditor" });
  const cred = createCredential(world.partner.id);
  const importId = crypto.randomUUID();
  getDb().insert(logImports).values({ id: importId, source: "gw-authz", format: "ndjson", via: "cli", status: "completed", finishedAt: new Date() }).run();
  Object.assign(objects, { org: world.partner.slug, credential: cred.keyId, user: world.partnerMember.id, import: importId, invite: "not-a-real-invitation-token" });
  for (const area of AREAS) if (area.seed) Object.assign(objects, await area.seed(world));
  const who = actorUser(world);
  for (const key of Object.keys(who) as (keyof typeof who)[]) cookies[key] = await login(who[key].email, who[key].password, nextIp());
});

/** The outcome of a response in TABLE's vocabulary ("login" only for the exact redirectTo). */
function outcomeOf(res: Response, url: string): string {
  const location = res.headers.get("Location");
  if (res.status === 302 || res.status === 303) {
    // Remix strips the `?index` marker from the request its loaders and actions see.
    const back = url.replace(/\?index$/, "");
    if (location === `/login?redirectTo=${encodeURIComponent(back)}`) return "login";
    if (location?.startsWith("/login?redirectTo=")) return `login with the wrong redirectTo (${location})`;
    return "302";
  }
  return String(res.status);
}

async function run(route: AppRoute, method: "GET" | "POST", actor: ActorKey) {
  const entry = TABLE[route.id] as Exclude<Entry, { skip: string }>;
  const value = entry.object ? objects[entry.object] : "";
  if (entry.object && value === undefined) throw new Error(`${route.id}: no object "${entry.object}" was seeded (add it to the area's seed)`);
  const url = urlFor(route, method, Object.fromEntries(route.params.map((p) => [p, value])));
  let cookie = actor === "anon" ? undefined : cookies[actor];
  // Signing out ends the session: use a throwaway one so the shared cookies stay valid.
  if (route.id === "routes/logout" && method === "POST" && actor !== "anon") {
    const u = actorUser(world)[actor];
    cookie = await login(u.email, u.password, nextIp());
  }
  const res = await request(url, method === "POST" ? { form: {}, cookie, ip: nextIp() } : { cookie, ip: nextIp() });
  const body = (await res.text()).replace(/\s+/g, " ").slice(0, 160);
  return { url, outcome: outcomeOf(res, url), detail: `${res.status}${res.headers.get("Location") ? ` → ${res.headers.get("Location")}` : ""} ${body}` };
}

describe("the authorisation table covers the app's routes", () => {
  it("has found the routes in the build", () => {
    expect(ROUTES.length).toBeGreaterThan(20);
    expect(byId.get("routes/dashboard")?.pattern).toBe("/dashboard");
    expect(byId.get("routes/orgs.$slug_.edit")).toMatchObject({ pattern: "/orgs/:slug/edit", params: ["slug"] });
  });

  it("has an entry for every route in build.routes", () => {
    const missing = ROUTES.filter((r) => !(r.id in TABLE)).map((r) => `${r.id} (${r.pattern})`);
    expect(missing, `routes without an entry in the authorisation TABLE (tests/routes/authz-matrix.test.ts): ${missing.join(", ")}`).toEqual([]);
  });

  it("has no entry for a route that no longer exists", () => {
    const stale = Object.keys(TABLE).filter((id) => !byId.has(id));
    expect(stale, `TABLE entries for routes not in the build: ${stale.join(", ")}`).toEqual([]);
  });

  it("only skips routes that cannot be requested by themselves, and describes param routes' objects", () => {
    const problems: string[] = [];
    for (const r of ROUTES) {
      const e = TABLE[r.id];
      if (!e) continue;
      if ("skip" in e) {
        if (!r.pathless) problems.push(`${r.id} is skipped but has a URL of its own (${r.pattern})`);
        continue;
      }
      if (r.params.length > 1) problems.push(`${r.id} has several params: extend the table's objects`);
      if (r.params.length > 0 && !e.object) problems.push(`${r.id} has :${r.params[0]} but no object`);
      if (r.params.length === 0 && e.object) problems.push(`${r.id} has an object but no param`);
      for (const m of ["GET", "POST"] as const) {
        if (r.params.length > 0 && e[m].other === undefined) problems.push(`${r.id} ${m} needs an outcome for another tenant's admin`);
        if (r.params.length === 0 && e[m].other !== undefined) problems.push(`${r.id} ${m} has an "other" outcome but no object`);
      }
      if (!r.hasAction && Object.values(e.POST).some((o) => o !== 405)) problems.push(`${r.id} has no action: every POST outcome must be 405`);
      if (r.hasAction && Object.values(e.POST).every((o) => o === 405) && r.id !== "routes/api.v1.logs") problems.push(`${r.id} has an action now: its POST row says 405`);
    }
    for (const b of KNOWN_BUGS) if (!byId.has(b.route)) problems.push(`KNOWN_BUGS names ${b.route}, not in the build`);
    expect(problems).toEqual([]);
  });
});

type Case = { route: AppRoute; method: "GET" | "POST"; actor: ActorKey; expected: Outcome; bug?: (typeof KNOWN_BUGS)[number] };
const CASES: Case[] = [];
for (const route of ROUTES) {
  const e = TABLE[route.id];
  if (!e || "skip" in e) continue;
  for (const method of ["GET", "POST"] as const) {
    for (const [actor, expected] of Object.entries(e[method]) as [ActorKey, Outcome][]) {
      const bug = KNOWN_BUGS.find((b) => b.route === route.id && b.method === method && b.actors.includes(actor));
      CASES.push({ route, method, actor, expected, bug });
    }
  }
}

describe("the authorisation matrix", () => {
  it.each(CASES.map((c) => [`${c.method} ${c.route.pattern} [${c.route.id}] as ${ACTORS[c.actor]} → ${c.expected}${c.bug ? ` (KNOWN BUG: is ${c.bug.actual})` : ""}`, c] as const))(
    "%s",
    async (_name, c) => {
      const { url, outcome, detail } = await run(c.route, c.method, c.actor);
      if (c.bug) {
        expect(outcome, `${c.method} ${url} as ${ACTORS[c.actor]}: known bug "${c.bug.finding}" now answers ${detail}. If it is fixed, delete its KNOWN_BUGS entry.`).toBe(String(c.bug.actual));
      } else {
        expect(outcome, `${c.method} ${url} as ${ACTORS[c.actor]}: expected ${c.expected}, got ${detail}`).toBe(String(c.expected));
      }
    },
  );
});

// The matrix's refusals come from the guard, not from the request being unusable: the same requests
// with a valid credential or form get through (or are refused for the right reason).
describe("the matrix's refusals are the guards'", () => {
  it("a valid logs:write token gets past the push API's guard with an empty body (so its 401s are the bearer check)", async () => {
    const { token } = await issueApiToken({ actor: actorFor(secUser.id), ip: null }, { name: "authz", source: "gw-authz-token", scope: "logs:write", expiresInDays: 1 });
    const res = await request("/api/v1/logs", { method: "POST", body: "", headers: { Authorization: `Bearer ${token}` }, origin: null, ip: nextIp() });
    expect(res.status).toBe(400);
    const withCookieOnly = await request("/api/v1/logs", { method: "POST", body: "{}\n", cookie: cookies.sec, ip: nextIp() });
    expect(withCookieOnly.status).toBe(401);
  });

  it("roles without update:org get 403 from the status action with a valid form, and the org keeps its status", async () => {
    for (const actor of ["sec", "aud", "pa", "pm"] as const) {
      const res = await request(`/orgs/${world.partner.slug}`, { form: { intent: "status", status: "suspended", confirm: "yes", reason: "authz matrix" }, cookie: cookies[actor], ip: nextIp() });
      expect(res.status, ACTORS[actor]).toBe(403);
    }
    const other = await request(`/orgs/${world.partner.slug}`, { form: { intent: "status", status: "suspended", confirm: "yes" }, cookie: cookies.other, ip: nextIp() });
    expect(other.status).toBe(404);
    expect(getDb().select({ status: organizations.status }).from(organizations).where(eq(organizations.id, world.partner.id)).get()?.status).toBe("active");
  });

  it("another tenant's admin gets 404 for a user of this tenant with a valid form, and the user is untouched", async () => {
    const res = await request(`/users/${world.partnerMember.id}`, { form: { intent: "deactivate" }, cookie: cookies.other, ip: nextIp() });
    expect(res.status).toBe(404);
    expect(getDb().select({ status: users.status }).from(users).where(eq(users.id, world.partnerMember.id)).get()?.status).toBe("active");
  });
});
