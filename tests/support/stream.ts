import { PassThrough, type Readable } from "node:stream";

/** A stream fed from a string or Buffer, as an upload or a piped file would arrive. */
export function streamOf(data: string | Buffer): Readable {
  const p = new PassThrough();
  p.end(data);
  return p;
}
