import { mulberry32 } from "../app/domain/seeded-random";

// The traffic of the import benchmarks (bench-import, bench-detection): seeded requests with realistic
// habits (credentials used unevenly, a few endpoints and models, about 3.5% errors), one per 0–90 ms.

export const BENCH_CREDENTIALS = 400;
const MODELS = ["atlas-2", "atlas-2-mini", "atlas-embed-1", "mythos-preview"];
const ENDPOINTS = ["messages", "completions", "embeddings", "count-tokens", "batches", "files", "models-list", "model-info"];
const UAS = ["model-sdk-python/1.4.2", "model-sdk-node/2.0.1", "python-requests/2.32.3", "curl/8.5.0", "node-fetch/1.0"];

export type BenchRequest = {
  i: number;
  ts: number;
  keyId: string;
  srcIp: string;
  userAgent: string;
  method: string;
  path: string;
  endpoint: string;
  model: string | null; // null for the paths that name no model
  status: number;
  bytes: number;
  latencyMs: number;
  tokensIn: number;
  tokensOut: number;
};

export const benchKeyId = (k: number) => `kw_bench_${k.toString().padStart(4, "0")}`;

export function* benchTraffic(n: number): Generator<BenchRequest> {
  const rand = mulberry32(42);
  let ts = Date.parse("2026-11-01T00:00:00Z");
  for (let i = 0; i < n; i++) {
    ts += Math.floor(rand() * 90);
    const k = Math.floor(rand() * rand() * BENCH_CREDENTIALS);
    const model = MODELS[Math.floor(rand() * (k % 7 === 0 ? 4 : 3))];
    const ep = ENDPOINTS[Math.floor(rand() * rand() * ENDPOINTS.length)];
    const path = ep === "models-list" ? "/v1/models" : ep === "batches" || ep === "files" ? `/v1/${ep}` : ep === "model-info" ? `/v1/models/${model}` : `/v1/models/${model}/${ep}`;
    const r = rand();
    const status = r < 0.01 ? 404 : r < 0.025 ? 429 : r < 0.03 ? 500 : r < 0.035 ? 401 : 200;
    const bytes = 200 + Math.floor(rand() * 5000);
    const latencyMs = 50 + Math.floor(rand() * 2000);
    const tokensIn = status === 200 ? Math.floor(rand() * 4000) : 0;
    const tokensOut = status === 200 ? Math.floor(rand() * 1000) : 0;
    yield {
      i,
      ts,
      keyId: benchKeyId(k),
      srcIp: `198.51.100.${k % 250}`,
      userAgent: UAS[k % UAS.length],
      method: ep === "models-list" || ep === "model-info" ? "GET" : "POST",
      path,
      endpoint: ep,
      model: ep === "models-list" || ep === "batches" || ep === "files" ? null : model,
      status,
      bytes,
      latencyMs,
      tokensIn,
      tokensOut,
    };
  }
}
