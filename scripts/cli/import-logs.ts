import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseMapArgs } from "../../app/domain/log-formats/jsonl-map";
import { FORMATS, type LogFormat } from "../../app/domain/log-parse";
import { createImportDetector } from "../../app/models/detection.server";
import { importLogs, LogImportError, type ImportSummary } from "../../app/models/log-import.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({
  positionals: z.array(z.string()).length(1, "give one file to import, or - for standard input"),
  format: z.enum(["auto", ...FORMATS] as [string, ...string[]], { message: `--format is one of auto, ${FORMATS.join(", ")}` }).default("auto"),
  source: z.string().trim().min(1).max(80).optional(),
  map: z.array(z.string()).optional(),
  json: z.boolean().optional(),
});

async function fileDigest(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

function progressBar(total: number | null) {
  if (!process.stderr.isTTY) return { update: () => {}, done: () => {} };
  const started = Date.now();
  let last = 0;
  const draw = (lines: number, rawBytes: number) => {
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? Math.round(lines / secs) : 0;
    const frac = total ? Math.min(1, rawBytes / total) : 0;
    const bar = total ? `[${"#".repeat(Math.round(frac * 30)).padEnd(30, "-")}] ${String(Math.round(frac * 100)).padStart(3)}% ` : "";
    process.stderr.write(`\r${bar}${lines.toLocaleString("en")} lines · ${rate.toLocaleString("en")} lines/s`);
  };
  return {
    update: ({ lines, rawBytes }: { lines: number; rawBytes: number }) => {
      if (Date.now() - last < 200) return;
      last = Date.now();
      draw(lines, rawBytes);
    },
    done: () => process.stderr.write("\n"),
  };
}

function summaryLines(s: ImportSummary): string[] {
  const out = [
    `${s.resumed ? "Resumed and finished" : "Imported"} ${s.format} log (import ${s.importId}) in ${s.seconds} s`,
    `  lines ${s.lines}, parsed ${s.parsed}, rejected ${s.rejected}, duplicates ${s.duplicates}`,
    `  matched to a credential ${s.matched}, unmatched ${s.unmatched}, flags raised ${s.flagsRaised}`,
  ];
  if (s.secretsStripped) out.push(`  secret material stripped from ${s.secretsStripped} lines: ${Object.entries(s.secretFields).map(([f, n]) => `${f} (${n})`).join(", ")} — fix the gateway's log format so it stops logging them`);
  if (s.rejectedSamples.length) out.push("  rejected lines:", ...s.rejectedSamples.slice(0, 10).map((r) => `    line ${r.line}: ${r.reason}`), ...(s.rejected > 10 ? [`    … ${s.rejected - 10} more`] : []));
  if (s.unregisteredKeys.length) out.push("  key references not in the inventory (unregistered credentials seen at the gateway):", ...s.unregisteredKeys.slice(0, 10).map((k) => `    ${k.keyRef}: ${k.events} requests, ${k.successes} successful`));
  return out;
}

export const importLogsCommand: Command = {
  name: "import-logs",
  summary: "Import a gateway access log (file or -), streaming; prints the import's summary",
  help: `Usage: keyward import-logs <file|-> [--format F] [--source NAME] [--map canonical=path.in.json]... [--json]

Imports a gateway access log: plain text or gzip, read as a stream (memory stays flat however large
the file). Each line is parsed, tied to a registered credential by key id or fingerprint, and stored;
the credential's last use moves forward. Malformed lines are counted and reported with their line
number and reason; they never stop the import. Fields carrying secrets (authorization, x-api-key,
apikey headers, API Gateway's apiKey, bearer tokens) are dropped before storage and reported.

Re-importing the same file stores nothing twice. An import that was interrupted (killed, crashed,
truncated gzip) is resumed from its last committed batch when the same file is imported again.

Options:
  --format F       ${["auto", ...FORMATS].join(" | ")} (default auto: detected from the first lines)
  --source NAME    where the log comes from, e.g. gateway-eu (default: the file's name, or "stdin")
  --map a=b        for JSON logs in another shape: canonical field = dot path in each object
                   (canonical fields: ts, requestId, keyRef, srcIp, userAgent, method, path, model,
                   status, bytes, latencyMs, tokensIn, tokensOut); repeatable
  --json           print the summary as JSON:
                   { lines, parsed, rejected, rejectedSamples: [{line, reason}], duplicates, matched,
                     unmatched, unregisteredKeys, secretsStripped, flagsRaised, seconds, … }`,
  async run(argv) {
    const args = parseCommandArgs(argv, { format: { type: "string" }, source: { type: "string" }, map: { type: "string", multiple: true } }, Args, true);
    const target = args.positionals[0];
    let map;
    if (args.map?.length) {
      const parsed = parseMapArgs(args.map);
      if (!parsed.ok) throw new UserError(parsed.error);
      map = parsed.map;
    }
    openDatabaseOrFail();
    let digest: { sha256: string; size: number } | null = null;
    if (target !== "-") {
      if (!fs.existsSync(target)) throw new UserError(`no such file: ${target}`);
      if (!fs.statSync(target).isFile()) throw new UserError(`not a file: ${target}`);
      digest = await fileDigest(target);
    }
    const bar = args.json ? null : progressBar(digest?.size ?? null);
    try {
      const summary = await importLogs({
        source: args.source ?? (target === "-" ? "stdin" : path.basename(target)),
        format: args.format as LogFormat | "auto",
        via: "cli",
        ...(target === "-" ? { input: process.stdin } : { filePath: target }),
        ctx: { actor: null, ip: null },
        fileName: target === "-" ? null : path.basename(target),
        sha256: digest?.sha256 ?? null,
        sizeBytes: digest?.size ?? null,
        map,
        onProgress: bar?.update,
        ...createImportDetector(),
      });
      bar?.done();
      if (args.json) printJson(summary);
      else print(...summaryLines(summary));
      return 0;
    } catch (error) {
      bar?.done();
      if (error instanceof LogImportError) throw new UserError(error.message);
      throw error;
    }
  },
};
