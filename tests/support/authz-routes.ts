import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";

/**
 * The app's route list, read from the BUILT app (build/index.js, as the request helper uses it), so the
 * authorisation matrix covers every route the server can answer, not a list someone keeps by hand.
 */
export type AppRoute = {
  id: string;
  /** The full URL pattern, parents' paths joined: "/orgs/:slug/edit". */
  pattern: string;
  /** Dynamic segments in the pattern (":slug" → "slug"); a splat is "*". */
  params: string[];
  index: boolean;
  /** No path of its own and no index: the root, or a pathless layout. Not requestable by itself. */
  pathless: boolean;
  hasLoader: boolean;
  hasAction: boolean;
};

export async function loadBuild(): Promise<ServerBuild> {
  return (await import(pathToFileURL(path.resolve(__dirname, "../../build/index.js")).href)) as ServerBuild;
}

export function appRoutes(build: ServerBuild): AppRoute[] {
  const routes = build.routes;
  const fullPath = (id: string): string => {
    const r = routes[id];
    if (!r) throw new Error(`route ${id} has a missing parent`);
    const own = r.path ?? "";
    const parent = r.parentId ? fullPath(r.parentId) : "";
    return [parent, own].filter(Boolean).join("/");
  };
  return Object.values(routes)
    .filter((r): r is NonNullable<typeof r> => r != null)
    .map((r) => {
      const pattern = `/${fullPath(r.id)}`.replace(/\/+/g, "/");
      const params = pattern
        .split("/")
        .filter((s) => s.startsWith(":") || s === "*")
        .map((s) => (s === "*" ? "*" : s.slice(1).replace(/\?$/, "")));
      return {
        id: r.id,
        pattern,
        params,
        index: Boolean(r.index),
        pathless: !r.path && !r.index,
        hasLoader: typeof r.module.loader === "function",
        hasAction: typeof r.module.action === "function",
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The URL a request for this route goes to: params filled in, and for an index route's POST the
 * `?index` a Remix <Form> adds (without it the POST would go to the parent route).
 */
export function urlFor(route: AppRoute, method: "GET" | "POST", values: Record<string, string>): string {
  const url = route.pattern
    .split("/")
    .map((seg) => {
      if (!seg.startsWith(":") && seg !== "*") return seg;
      const p = seg === "*" ? "*" : seg.slice(1).replace(/\?$/, "");
      const v = values[p];
      if (v === undefined) throw new Error(`no value for :${p} of ${route.id}`);
      return encodeURIComponent(v);
    })
    .join("/");
  return method === "POST" && route.index ? `${url}?index` : url;
}
