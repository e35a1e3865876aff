import type { ModelStatus } from "./catalog";

// The grant arithmetic (pure, no dependencies): which models and endpoints a grant or an entitlement
// reaches, and whether one covers another. Apart from credential.ts (forms and schemas) because the
// import's parse worker needs it (detection's rules) and loads no validation library.

/** "@ga" in a grant or entitlement stands for every generally available model; "*" for every endpoint. */
export const ALL_GA = "@ga";
export const ALL_ENDPOINTS = "*";

export type CatalogModelRef = { name: string; status: ModelStatus };

/** The concrete model names a grant reaches ("@ga" expanded against the catalog). */
export function expandModels(grant: readonly string[], catalog: readonly CatalogModelRef[]): string[] {
  const out = new Set<string>();
  for (const g of grant) {
    if (g === ALL_GA) catalog.filter((m) => m.status === "ga").forEach((m) => out.add(m.name));
    else out.add(g);
  }
  return [...out].sort();
}

/** Does `outer` (an entitlement or a grant) cover the model `name`? */
export function coversModel(outer: readonly string[], name: string, catalog: readonly CatalogModelRef[]): boolean {
  if (outer.includes(name)) return true;
  if (name === ALL_GA) return outer.includes(ALL_GA);
  return outer.includes(ALL_GA) && catalog.some((m) => m.name === name && m.status === "ga");
}

/**
 * The parts of `inner` that `outer` does not cover: models first, then endpoints. Used for
 * grant ⊆ organisation entitlements, contractor entitlements ⊆ sponsor's, and "is this a narrowing?".
 */
export function uncovered(
  inner: { models: readonly string[]; endpoints: readonly string[] },
  outer: { models: readonly string[]; endpoints: readonly string[] },
  catalog: readonly CatalogModelRef[],
): { models: string[]; endpoints: string[] } {
  const models = inner.models.filter((m) => !coversModel(outer.models, m, catalog));
  const endpoints = outer.endpoints.includes(ALL_ENDPOINTS) ? [] : inner.endpoints.filter((e) => !outer.endpoints.includes(e));
  return { models, endpoints };
}

export function isWithin(
  inner: { models: readonly string[]; endpoints: readonly string[] },
  outer: { models: readonly string[]; endpoints: readonly string[] },
  catalog: readonly CatalogModelRef[],
): boolean {
  const u = uncovered(inner, outer, catalog);
  return u.models.length === 0 && u.endpoints.length === 0;
}

export function describeUncovered(u: { models: string[]; endpoints: string[] }): string {
  const parts = [...u.models.map((m) => (m === ALL_GA ? "every GA model" : m)), ...u.endpoints.map((e) => (e === ALL_ENDPOINTS ? "every endpoint" : `endpoint ${e}`))];
  return parts.join(", ");
}
