import path from "node:path";
import { pathToFileURL } from "node:url";
import { broadcastDevReady, createReadableStreamFromReadable, writeReadableStreamToWritable, type ServerBuild } from "@remix-run/node";
import express from "express";
import { getEnv } from "../app/env.server";
import { createHardenedHandler } from "../app/http.server";
import { getDb } from "../db/client";

// The HTTP server: static files, then every request through the hardened Remix handler
// (app/http.server.ts: CSRF Origin check, CSP nonce, security headers).

const env = getEnv();
const BUILD = path.resolve("build/index.js");
getDb(); // open and migrate before the first request; fails fast on a bad KEYWARD_DB

async function loadBuild() {
  return (await import(`${pathToFileURL(BUILD).href}?t=${Date.now()}`)) as ServerBuild;
}

let build = await loadBuild();
let handle = createHardenedHandler(build, env.NODE_ENV);

const app = express();
app.disable("x-powered-by");
if (env.KEYWARD_TRUST_PROXY === "1") app.set("trust proxy", true);
const staticHeaders = (res: express.Response) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
};
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y", setHeaders: staticHeaders }));
app.use(express.static("public", { maxAge: "1h", setHeaders: staticHeaders }));

app.all("*", async (req, res, next) => {
  try {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const url = new URL(req.originalUrl, `${req.protocol}://${req.get("host") ?? `localhost:${env.PORT}`}`);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(key, v));
      else if (value != null) headers.set(key, value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(url, {
      method: req.method,
      headers,
      signal: controller.signal,
      ...(hasBody ? { body: createReadableStreamFromReadable(req), duplex: "half" } : {}),
    } as RequestInit);
    const response = await handle(request, { ip: req.ip ?? req.socket.remoteAddress ?? null });
    res.status(response.status);
    res.statusMessage = response.statusText || res.statusMessage;
    for (const [key, value] of response.headers) {
      if (key.toLowerCase() === "set-cookie") continue;
      res.append(key, value);
    }
    for (const cookie of response.headers.getSetCookie()) res.append("Set-Cookie", cookie);
    if (response.body) await writeReadableStreamToWritable(response.body, res);
    else res.end();
  } catch (error) {
    next(error);
  }
});

app.listen(env.PORT, async () => {
  console.log(`Keyward listening on http://localhost:${env.PORT}`);
  if (process.env.KEYWARD_DEMO === "1") {
    const { demoLoginLines } = await import("./cli/seed-demo");
    console.log(["", ...demoLoginLines(), ""].join("\n"));
  }
  if (env.NODE_ENV === "development") broadcastDevReady(build);
});

if (env.NODE_ENV === "development") {
  // remix dev --manual rebuilds; reload the build on change.
  const { watch } = await import("node:fs");
  watch(path.dirname(BUILD), { persistent: false }, async () => {
    build = await loadBuild();
    handle = createHardenedHandler(build, env.NODE_ENV);
    broadcastDevReady(build);
  });
}
