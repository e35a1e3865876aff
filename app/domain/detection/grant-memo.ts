// A rule's verdict on "this endpoint and model, for this credential", remembered (pure). Legitimate
// traffic asks the same few questions over and over (a credential calls a handful of endpoints and
// models), so out_of_grant and recon_then_use work each answer out once instead of once per event.
//
// Keyed by the CredentialFacts object itself and the catalog array: the engine's caller hands the same
// facts object for a credential for the whole import and a new one when anything about it differs (a
// rotated key's grace period), and never changes one in place. Bounded: cleared when full.

import type { CatalogModel, CredentialFacts } from "./types";

const MAX_CREDENTIALS = 4096;
/** Distinct (endpoint, model) pairs remembered per credential before its answers start over. */
const MAX_PAIRS = 256;

type PerCredential<T> = { pairs: number; byEndpoint: Map<string | null, Map<string | null, T>> };

export class GrantMemo<T> {
  private catalog: readonly CatalogModel[] | null = null;
  private readonly byCredential = new Map<CredentialFacts, PerCredential<T>>();
  /** The last credential asked about, and its answers (consecutive events often share it). */
  private lastFacts: CredentialFacts | null = null;
  private last: PerCredential<T> | null = null;

  constructor(private readonly compute: (endpoint: string | null, model: string | null, c: CredentialFacts, catalog: readonly CatalogModel[]) => T) {}

  get(endpoint: string | null, model: string | null, c: CredentialFacts, catalog: readonly CatalogModel[]): T {
    if (catalog !== this.catalog) {
      this.catalog = catalog;
      this.byCredential.clear();
      this.lastFacts = null;
      this.last = null;
    }
    let per: PerCredential<T> | null | undefined = c === this.lastFacts ? this.last : this.byCredential.get(c);
    if (per === undefined || per === null) {
      if (this.byCredential.size >= MAX_CREDENTIALS) this.byCredential.clear();
      per = { pairs: 0, byEndpoint: new Map() };
      this.byCredential.set(c, per);
    }
    this.lastFacts = c;
    this.last = per;
    let byModel = per.byEndpoint.get(endpoint);
    if (byModel !== undefined) {
      const hit = byModel.get(model);
      if (hit !== undefined || byModel.has(model)) return hit as T;
    }
    const v = this.compute(endpoint, model, c, catalog);
    if (per.pairs >= MAX_PAIRS) {
      per.byEndpoint.clear();
      per.pairs = 0;
      byModel = undefined;
    }
    if (byModel === undefined) per.byEndpoint.set(endpoint, (byModel = new Map()));
    byModel.set(model, v);
    per.pairs++;
    return v;
  }
}
