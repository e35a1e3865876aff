import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { LogInputError, readLogLines } from "~/log-input.server";
import { streamOf } from "../support/stream";

async function collect(data: string | Buffer, max?: number, chunkSize?: number) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  // Feed in small chunks so lines straddle chunk boundaries.
  async function* pieces() {
    const size = chunkSize ?? 7;
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  }
  const out = [];
  for await (const l of readLogLines(pieces(), { rawBytes: 0 }, max)) out.push(l);
  return out;
}

describe("reading log lines", () => {
  it("splits lines across chunk boundaries, strips CR, keeps a last line without newline, and reports end offsets", async () => {
    const lines = await collect("alpha\r\nbeta\ngamma");
    expect(lines.map((l) => ("text" in l ? l.text : "TOO LONG"))).toEqual(["alpha", "beta", "gamma"]);
    expect(lines.map((l) => l.endOffset)).toEqual([7, 12, 17]);
    expect(lines.map((l) => l.lineNo)).toEqual([1, 2, 3]);
  });
  it("reports an over-long line without buffering it and carries on", async () => {
    const long = "x".repeat(100);
    const lines = await collect(`short\n${long}\nafter\n`, 50);
    expect(lines[1]).toMatchObject({ lineNo: 2, tooLong: true });
    expect(lines[2]).toMatchObject({ lineNo: 3, text: "after" });
  });
  it("reads gzip transparently", async () => {
    const lines = await collect(gzipSync("one\ntwo\n"), undefined, 5);
    expect(lines.map((l) => ("text" in l ? l.text : ""))).toEqual(["one", "two"]);
  });
  it("refuses empty, binary and truncated gzip input with a clear message", async () => {
    await expect(collect("")).rejects.toThrow(new LogInputError("The file is empty."));
    await expect(collect(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]))).rejects.toThrow(/binary/);
    const gz = gzipSync("a line\n".repeat(1000));
    await expect(collect(gz.subarray(0, gz.length - 30))).rejects.toThrow(/truncated/);
  });
  it("accepts a plain stream", async () => {
    const out = [];
    for await (const l of readLogLines(streamOf("x\ny\n"))) out.push(l);
    expect(out).toHaveLength(2);
  });
});

describe("the decompressed-size cap", () => {
  it("refuses a gzip body that expands past the cap (a gzip bomb)", async () => {
    const bomb = gzipSync(Buffer.alloc(5 * 1024 * 1024, "a\n"));
    expect(bomb.length).toBeLessThan(64 * 1024);
    async function* one() {
      yield bomb;
    }
    const read = async () => {
      let n = 0;
      for await (const _ of readLogLines(one(), { rawBytes: 0 }, undefined, 1024 * 1024)) n++;
      return n;
    };
    await expect(read()).rejects.toThrow(/larger than 1 MB once decompressed/);
  });
});
