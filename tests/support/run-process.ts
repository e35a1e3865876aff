import { spawn } from "node:child_process";
import path from "node:path";

// Runs a command (the keyward CLI, or a shell line) from the project's root and collects its output.

export type Run = { code: number | null; stdout: string; stderr: string };
export const ROOT = path.resolve(__dirname, "../..");

export function runProcess(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

/** `keyward <args>` through tsx, as the README runs it. */
export const runKeyward = (args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string } = {}) => runProcess(process.execPath, ["--import", "tsx", "scripts/keyward.ts", ...args], opts);

/** A shell line (for pipes and `&&`). */
export const runShell = (script: string, opts: { env?: NodeJS.ProcessEnv } = {}) => runProcess("sh", ["-c", script], opts);
