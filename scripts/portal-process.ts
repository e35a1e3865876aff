import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { totpCode } from "../app/domain/two-factor";

// The portal as a child process (scripts/serve.ts over the built app) for drills and the load
// benchmark: started on a given database, killed with any signal, restarted on the same files.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export type PortalProcess = { child: ChildProcess; baseUrl: string; output: () => string; exited: Promise<number | null> };

/** Starts the portal on `env.KEYWARD_DB` and resolves once /healthz answers. */
export async function startPortalProcess(env: NodeJS.ProcessEnv, port?: number): Promise<PortalProcess> {
  const p = port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${p}`;
  const childEnv = { ...env, PORT: String(p), KEYWARD_BASE_URL: baseUrl, NODE_ENV: env.NODE_ENV ?? "test" };
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts"], { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`portal exited early:\n${out}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`portal did not start in 30 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return { child, baseUrl, output: () => out, exited };
}

export async function stopPortalProcess(p: PortalProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}

/**
 * Signs in over HTTP like a browser (Origin header for the CSRF check), with the second step when the
 * account has one; returns the session cookie. `stepOffset` picks a later TOTP step (a code works once).
 */
export async function signInOverHttp(baseUrl: string, email: string, password: string, totpSecret?: string, stepOffset = 0): Promise<string> {
  const headers = { Origin: baseUrl, "Content-Type": "application/x-www-form-urlencoded" };
  const first = await fetch(`${baseUrl}/login`, { method: "POST", headers, body: new URLSearchParams({ email, password }), redirect: "manual" });
  const cookie = (name: string, res: Response) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];
  if (first.status !== 302) throw new Error(`sign-in failed for ${email}: ${first.status}`);
  const session = cookie("keyward_session", first);
  if (session) return session;
  const pending = cookie("keyward_2fa", first);
  if (!pending || !totpSecret) throw new Error(`${email} needs a second factor`);
  const code = totpCode(totpSecret, Date.now() + stepOffset * 30_000);
  const second = await fetch(`${baseUrl}/login/two-factor`, { method: "POST", headers: { ...headers, Cookie: pending }, body: new URLSearchParams({ code }), redirect: "manual" });
  const s = cookie("keyward_session", second);
  if (second.status !== 302 || !s) throw new Error(`second factor failed for ${email}: ${second.status}`);
  return s;
}
