// Turns a logged request (method, path) into (endpoint, model) using the catalog, or "unknown".
// Pure and fast: templates are compiled once per import into segment matchers.

export type CatalogEndpointRef = { name: string; methods: readonly string[]; pathTemplate: string };
export type CatalogModelRef = { name: string; aliases: readonly string[] };
export type PathMatch = { endpoint: string | null; model: string | null };

type Compiled = { name: string; methods: Set<string>; segments: (string | { param: string })[] };

export type CatalogMatcher = (method: string, path: string, loggedModel?: string | null) => PathMatch;

/**
 * `{model}` in a template captures the model segment; an alias or codename resolves to the model's
 * name; an unknown model name is returned as logged (so detection can see it). A literal match wins
 * over a parameter match when two templates fit.
 */
export function compileCatalog(endpoints: readonly CatalogEndpointRef[], models: readonly CatalogModelRef[]): CatalogMatcher {
  const byName = new Map<string, string>();
  for (const m of models) {
    byName.set(m.name.toLowerCase(), m.name);
    for (const a of m.aliases) byName.set(a.toLowerCase(), m.name);
  }
  const compiled: Compiled[] = endpoints.map((e) => ({
    name: e.name,
    methods: new Set(e.methods.map((m) => m.toUpperCase())),
    segments: e.pathTemplate
      .split("/")
      .filter(Boolean)
      .map((s) => (/^\{[a-z]+\}$/.test(s) ? { param: s.slice(1, -1) } : s)),
  }));
  // Fewer parameters first: literal segments are more specific.
  compiled.sort((a, b) => a.segments.filter((s) => typeof s !== "string").length - b.segments.filter((s) => typeof s !== "string").length);
  const resolveModel = (name: string | null | undefined) => {
    if (!name) return null;
    return byName.get(name.toLowerCase()) ?? name;
  };

  return (method, path, loggedModel) => {
    const q = path.indexOf("?");
    const parts = (q === -1 ? path : path.slice(0, q)).split("/").filter(Boolean);
    const upper = method.toUpperCase();
    for (const c of compiled) {
      if (c.segments.length !== parts.length || !c.methods.has(upper)) continue;
      let model: string | null = null;
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = c.segments[i];
        if (typeof seg === "string") {
          if (seg !== parts[i]) {
            ok = false;
            break;
          }
        } else if (seg.param === "model") model = safeDecode(parts[i]);
      }
      if (ok) return { endpoint: c.name, model: resolveModel(model ?? loggedModel) };
    }
    return { endpoint: null, model: resolveModel(loggedModel ?? guessModelSegment(parts)) };
  };
}

/** For an unmatched path like /v2/models/orion-x/chat, the segment after "models" is the model asked for. */
function guessModelSegment(parts: string[]): string | null {
  const i = parts.indexOf("models");
  return i >= 0 && i + 1 < parts.length ? safeDecode(parts[i + 1]) : null;
}

function safeDecode(s: string) {
  if (!s.includes("%")) return s.length > 200 ? s.slice(0, 200) : s;
  try {
    return decodeURIComponent(s).slice(0, 200);
  } catch {
    return s.slice(0, 200);
  }
}
