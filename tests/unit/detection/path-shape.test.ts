import { describe, expect, it } from "vitest";
import { normalizeSegment, pathOnly, pathShape, sameShape, shapeKey, similarSegments } from "~/domain/detection/path-shape";

/** Are two concrete paths variants of one shape? */
const variantsOfOneShape = (a: string, b: string) => sameShape(pathShape(a), pathShape(b));

describe("path shapes", () => {
  it("drops the query string and fragment", () => {
    expect(pathOnly("/v1/models?limit=10#x")).toBe("/v1/models");
    expect(pathOnly("/v1/models")).toBe("/v1/models");
  });

  it("normalises versions to v and digit runs to n, lower-cased", () => {
    expect(normalizeSegment("v1")).toBe("v");
    expect(normalizeSegment("v2.1")).toBe("v");
    expect(normalizeSegment("V1BETA1")).toBe("v");
    expect(normalizeSegment("orion-2")).toBe("orion-n");
    expect(normalizeSegment("claude-3-5-sonnet-20241022")).toBe("claude-n-n-sonnet-n");
    expect(normalizeSegment("12345")).toBe("n");
    expect(normalizeSegment("Mythos%2DPreview")).toBe("mythos-preview");
    expect(normalizeSegment("%zz")).toBe("%zz");
    expect(shapeKey("/v1/models/orion-12/messages/?stream=true")).toBe("/v/models/orion-n/messages");
    expect(pathShape("//v2//batches/")).toEqual(["v", "batches"]);
  });

  it("treats names within 2 edits, or one a prefix of the other, as variants", () => {
    expect(similarSegments("mythos-preview", "mythos-previw")).toBe(true);
    expect(similarSegments("mythos-preview", "mythos-prev")).toBe(true); // 3 edits, but a prefix
    expect(similarSegments("mythos", "mythos-preview")).toBe(true);
    expect(similarSegments("atlas", "atlsa")).toBe(true);
    expect(similarSegments("messages", "batches")).toBe(false);
    expect(similarSegments("file-abcn", "file-xyzn")).toBe(false); // 3 edits, neither a prefix
    expect(similarSegments("abc", "abcdef")).toBe(false); // prefix shorter than 4 characters, 3 edits
  });

  it("groups the 2026 incident's guesses into one shape", () => {
    const guesses = ["/v1/models/mythos-preview/messages", "/v1/models/mythos-prev/messages", "/v1/models/mythos/messages"];
    for (const a of guesses) for (const b of guesses) expect(variantsOfOneShape(a, b)).toBe(true);
    // Not every pair is similar; pattern_guessing groups a path with any member of a group.
    expect(variantsOfOneShape("/v1/models/mythos-1/messages", "/v1/models/mythos/messages")).toBe(true);
    expect(variantsOfOneShape("/v1/models/mythos-1/messages", "/v1/models/mythos-prev/messages")).toBe(false);
  });

  it("groups counters and API versions", () => {
    expect(variantsOfOneShape("/v1/models/orion-1/messages", "/v1/models/orion-3/messages")).toBe(true);
    expect(variantsOfOneShape("/v1/models", "/v2.1/models")).toBe(true);
    expect(variantsOfOneShape("/v1/batches/17", "/v1/batches/4711")).toBe(true);
  });

  it("keeps different endpoints and different depths apart", () => {
    expect(variantsOfOneShape("/v1/models/atlas-2/messages", "/v1/models/atlas-2/messages/count_tokens")).toBe(false);
    expect(variantsOfOneShape("/v1/messages", "/v1/batches")).toBe(false);
    expect(variantsOfOneShape("/v1/models/ab", "/v1/models/7")).toBe(false); // "n" only matches "n"
    expect(variantsOfOneShape("/v1/models", "/xy/models")).toBe(false); // "v" only matches "v"
    expect(sameShape(["a", "b"], ["a"])).toBe(false);
  });
});
