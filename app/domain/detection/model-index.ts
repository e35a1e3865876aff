// The catalog's models as the model rules look them up: by name or alias (case-insensitive), the GA
// names a typo would be close to, and the restricted / unreleased terms a guess would contain.
// Built once per catalog array (cached), so a rule can call it on every event.

import type { CatalogModel } from "./types";

/** Names and aliases shorter than this are only matched exactly, never searched for inside a string. */
export const MIN_CONTAINED_TERM = 4;

export type SensitiveTerm = {
  /** Lower-case. */
  term: string;
  kind: "name" | "alias" | "family";
  model: CatalogModel;
};

export type ModelIndex = {
  /** Lower-case name or alias → model. */
  byName: ReadonlyMap<string, CatalogModel>;
  /** Lower-case names and aliases of GA models (typo candidates). */
  gaTerms: readonly string[];
  /** Names, aliases and family tokens of restricted and unreleased models (longest first). */
  sensitive: readonly SensitiveTerm[];
  /** Names and aliases of unreleased models (longest first). */
  unreleased: readonly SensitiveTerm[];
  /** lookupModel's answers by the name as logged (a log repeats a few names over and over). */
  asLogged: Map<string, CatalogModel | null>;
  /** Its last answer: the rules of one event ask for the same name, one after the other. */
  lastName: string | null;
  lastModel: CatalogModel | null;
};

/** Distinct logged names remembered per index before its cache starts over (names come from logs). */
const MAX_CACHED_NAMES = 4096;

const cache = new WeakMap<readonly CatalogModel[], ModelIndex>();
/** The index built or found last (every rule of an import asks with the same catalog; held until another is asked for). */
let lastCatalog: readonly CatalogModel[] | null = null;
let lastIndex: ModelIndex | null = null;

/** "mythos" of "mythos-preview": the first dash-separated part of a name when it is 4 or more letters. */
export function familyToken(name: string): string | null {
  const first = name.toLowerCase().split("-")[0];
  return /^[a-z]{4,}$/.test(first) ? first : null;
}

export function modelIndex(catalog: readonly CatalogModel[]): ModelIndex {
  if (catalog === lastCatalog && lastIndex !== null) return lastIndex;
  const hit = cache.get(catalog);
  if (hit) {
    lastCatalog = catalog;
    lastIndex = hit;
    return hit;
  }
  const byName = new Map<string, CatalogModel>();
  for (const m of catalog) byName.set(m.name.toLowerCase(), m);
  for (const m of catalog) for (const a of m.aliases) if (!byName.has(a.toLowerCase())) byName.set(a.toLowerCase(), m);

  const ga = catalog.filter((m) => m.status === "ga");
  const gaTerms = [...new Set(ga.flatMap((m) => [m.name, ...m.aliases].map((t) => t.toLowerCase())))];
  const gaFamilies = new Set(ga.map((m) => familyToken(m.name)).filter((f): f is string => f !== null));

  const sensitive: SensitiveTerm[] = [];
  const unreleased: SensitiveTerm[] = [];
  for (const m of catalog) {
    if (m.status !== "restricted" && m.status !== "unreleased") continue;
    const terms: SensitiveTerm[] = [
      { term: m.name.toLowerCase(), kind: "name", model: m },
      ...m.aliases.map((a) => ({ term: a.toLowerCase(), kind: "alias" as const, model: m })),
    ];
    if (m.status === "unreleased") unreleased.push(...terms);
    const family = familyToken(m.name);
    // A GA family ("atlas" of atlas-2) is everyday vocabulary, not a leak.
    if (family && !gaFamilies.has(family)) terms.push({ term: family, kind: "family", model: m });
    sensitive.push(...terms);
  }
  const longestFirst = (a: SensitiveTerm, b: SensitiveTerm) => b.term.length - a.term.length || a.term.localeCompare(b.term);
  const index: ModelIndex = { byName, gaTerms, sensitive: sensitive.sort(longestFirst), unreleased: unreleased.sort(longestFirst), asLogged: new Map(), lastName: null, lastModel: null };
  cache.set(catalog, index);
  lastCatalog = catalog;
  lastIndex = index;
  return index;
}

/** The catalog model a logged or resolved name refers to (name or alias, any case), or null. */
export function lookupModel(index: ModelIndex, name: string): CatalogModel | null {
  if (name === index.lastName) return index.lastModel;
  let m = index.asLogged.get(name);
  if (m === undefined) {
    m = index.byName.get(name.toLowerCase()) ?? null;
    if (index.asLogged.size >= MAX_CACHED_NAMES) index.asLogged.clear();
    index.asLogged.set(name, m);
  }
  index.lastName = name;
  index.lastModel = m;
  return m;
}

/** The first (longest) term of `terms` that `haystack` (lower-case) contains; short terms must match exactly. */
export function containedTerm(haystack: string, terms: readonly SensitiveTerm[]): SensitiveTerm | null {
  for (const t of terms) {
    if (t.term.length >= MIN_CONTAINED_TERM ? haystack.includes(t.term) : haystack === t.term) return t;
  }
  return null;
}
