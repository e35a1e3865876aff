// Micro-benchmark of the log parsers alone (no IO, no database): generates N seeded lines in memory and
// times parserFor(format) over them on one core.
//   npx tsx scripts/bench-parse.ts [lines=1000000] [format=jsonl|nginx|all]
// Prints lines/s per format, and for jsonl the bare JSON.parse loop over the same lines for comparison.
import { parserFor, type LogFormat } from "../app/domain/log-parse";
import { mulberry32 } from "../app/domain/seeded-random";

const N = Number(process.argv[2] ?? 1_000_000);
const which = process.argv[3] ?? "jsonl";

const rnd = mulberry32(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const MODELS = ["opus-4", "sonnet-4", "haiku-4", "mythos-preview", "opus-4-1"];
const PATHS = ["/v1/messages", "/v1/models", "/v1/complete", "/v1/messages/count_tokens", "/v1/files"];
const AGENTS = ["anthropic-sdk-python/0.40.0", "curl/8.5.0", "python-requests/2.32.3", "Mozilla/5.0 (X11; Linux x86_64)"];
const keys = Array.from({ length: 300 }, (_, i) => `kw_live_${(i * 7919).toString(36).padStart(6, "0")}`);
const ips = Array.from({ length: 2000 }, (_, i) => `${10 + (i % 200)}.${(i * 7) % 256}.${(i * 13) % 256}.${(i * 31) % 254 + 1}`);
const start = Date.UTC(2026, 10, 1);

function status(): number {
  const r = rnd();
  return r < 0.95 ? 200 : r < 0.97 ? 404 : r < 0.985 ? 403 : r < 0.995 ? 429 : 500;
}

function jsonlLine(i: number): string {
  const model = pick(MODELS);
  return JSON.stringify({
    ts: new Date(start + i * 37).toISOString(),
    requestId: `req_${i.toString(36)}`,
    keyId: pick(keys),
    srcIp: pick(ips),
    userAgent: pick(AGENTS),
    method: "POST",
    path: rnd() < 0.5 ? `/v1/models/${model}/messages` : pick(PATHS),
    model,
    status: status(),
    bytes: Math.floor(rnd() * 20000),
    latencyMs: Math.floor(rnd() * 3000),
    tokensIn: Math.floor(rnd() * 4000),
    tokensOut: Math.floor(rnd() * 1000),
  });
}

const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function nginxLine(i: number): string {
  const d = new Date(start + i * 37);
  const p = (n: number) => String(n).padStart(2, "0");
  const t = `${p(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  return `${pick(ips)} - - [${t}] "POST ${pick(PATHS)} HTTP/1.1" ${status()} ${Math.floor(rnd() * 20000)} "-" "${pick(AGENTS)}" "${pick(keys)}"`;
}

function bench(format: LogFormat, gen: (i: number) => string) {
  // Joined and split again, as the import's line splitter hands them over (flat strings, not the
  // concatenation trees that string building leaves behind).
  const lines = Array.from({ length: N }, (_, i) => gen(i)).join("\n").split("\n");
  const parse = parserFor(format);
  // warm up
  for (let i = 0; i < Math.min(N, 50_000); i++) parse(lines[i]);
  let ok = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (parse(lines[i]).ok) ok++;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${format.padEnd(6)} ${N} lines, ${ok} parsed, ${secs.toFixed(3)} s, ${Math.round(N / secs).toLocaleString("en")} lines/s`);
  if (format === "jsonl") {
    const t1 = process.hrtime.bigint();
    let keysSeen = 0;
    for (let i = 0; i < N; i++) keysSeen += JSON.parse(lines[i]).status === 200 ? 1 : 0;
    const bare = Number(process.hrtime.bigint() - t1) / 1e9;
    console.log(`bare JSON.parse loop: ${bare.toFixed(3)} s, ${Math.round(N / bare).toLocaleString("en")} lines/s (parser = ${(secs / bare).toFixed(2)}× JSON.parse)`);
    void keysSeen;
  }
}

if (which === "jsonl" || which === "all") bench("jsonl", jsonlLine);
if (which === "nginx" || which === "all") bench("nginx", nginxLine);
