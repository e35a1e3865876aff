// The part of autocannon's API that scripts/bench-load.ts uses (the package ships no types).
declare module "autocannon" {
  import type { EventEmitter } from "node:events";
  namespace autocannon {
    type Request = { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: Request) => Request };
    type Options = { url: string; connections?: number; duration?: number; requests?: Request[] };
    type Result = { errors: number; timeouts: number; non2xx: number; requests: { total: number; average: number } };
  }
  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): EventEmitter;
  export default autocannon;
}
