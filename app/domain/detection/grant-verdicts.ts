// A verdict about a credential's grant and an event's endpoint and model (out_of_grant, recon_then_use),
// worked out once per credential, endpoint and model name instead of once per event (pure). Keyed by the
// credential's facts object, so a change of facts (another import, a rotated key's facts) starts afresh.

import type { CredentialFacts } from "./types";

/** Distinct (endpoint, model) pairs remembered per credential before its entry starts over (model names come from logs). */
const MAX_PER_CREDENTIAL = 256;

export class GrantVerdicts<V> {
  private byFacts = new WeakMap<CredentialFacts, Map<string | null, Map<string | null, V>>>();
  private pairs = new WeakMap<CredentialFacts, number>();

  constructor(private readonly compute: (c: CredentialFacts, endpoint: string | null, model: string | null) => V) {}

  get(c: CredentialFacts, endpoint: string | null, model: string | null): V {
    let byEndpoint = this.byFacts.get(c);
    if (byEndpoint === undefined) this.byFacts.set(c, (byEndpoint = new Map()));
    let byModel = byEndpoint.get(endpoint);
    if (byModel === undefined) byEndpoint.set(endpoint, (byModel = new Map()));
    let v = byModel.get(model);
    if (v === undefined && !byModel.has(model)) {
      v = this.compute(c, endpoint, model);
      const n = (this.pairs.get(c) ?? 0) + 1;
      if (n > MAX_PER_CREDENTIAL) {
        byEndpoint.clear();
        byEndpoint.set(endpoint, (byModel = new Map()));
        this.pairs.set(c, 1);
      } else this.pairs.set(c, n);
      byModel.set(model, v);
    }
    return v as V;
  }

  /** Forgets everything (the catalog the verdicts depend on changed). */
  clear(): void {
    this.byFacts = new WeakMap();
    this.pairs = new WeakMap();
  }
}
