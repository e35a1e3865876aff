import { describe, expect, it } from "vitest";
import { flatCopy } from "~/domain/flat-copy";

describe("flatCopy", () => {
  it("returns an equal string for every input, escapes and unpaired surrogates included (a copy's flatness is not observable: see its comment)", () => {
    const line = '203.0.113.9 - - [30/Nov/2026:10:00:00 +0000] "GET /v1/models/atlas-2/messages?q=\\"x\\" HTTP/1.1" 404';
    const cut = line.slice(line.indexOf("/v1/"), line.indexOf(" HTTP/"));
    for (const s of ["", "/v1/models", cut, 'a"b\\c', "tab\there\nnewline\u0000nul", "caf\u00e9 \u{1F600}", "lone \ud800 high", "lone \udc00 low", "x".repeat(10_000)]) {
      expect(flatCopy(s)).toBe(s);
    }
  });
});
