import { describe, expect, it } from "vitest";
import { editDistance } from "~/domain/detection/edit-distance";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("atlas-2", "atlas-2")).toBe(0);
    expect(editDistance("atlas-2", "atals-2")).toBe(2); // a transposition is two edits
    expect(editDistance("atlas-2", "atlas-22")).toBe(1);
    expect(editDistance("atlas-2", "atlas")).toBe(2);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("flaw", "lawn")).toBe(2);
  });

  it("is symmetric", () => {
    for (const [a, b] of [["mythos", "mithras"], ["orion-x", "orionx-2"], ["", "z"]]) {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
      expect(editDistance(a, b, 2)).toBe(editDistance(b, a, 2));
    }
  });

  it("returns max + 1 as soon as the distance is known to exceed the bound", () => {
    expect(editDistance("kitten", "sitting", 2)).toBe(3);
    expect(editDistance("kitten", "sitting", 3)).toBe(3);
    expect(editDistance("a", "abcdefgh", 2)).toBe(3); // length gap alone
    expect(editDistance("abcdef", "uvwxyz", 1)).toBe(2);
    expect(editDistance("abc", "abd", 0)).toBe(1);
    expect(editDistance("abc", "abc", 0)).toBe(0);
  });

  it("stays fast on long, very different strings with a small bound", () => {
    const a = "x".repeat(5000);
    const b = "y".repeat(5000);
    const t = performance.now();
    expect(editDistance(a, b, 2)).toBe(3);
    expect(performance.now() - t).toBeLessThan(50); // exits after the first rows, not 25M cells
  });

  it("rejects a negative bound", () => {
    expect(() => editDistance("a", "b", -1)).toThrow(RangeError);
  });

  it("answers exactly up to the bound, and bound + 1 beyond it", () => {
    expect(editDistance("atlas-2", "atlas-3", 2)).toBe(1);
    expect(editDistance("atlas-2", "atlaz-3", 2)).toBe(2);
    expect(editDistance("atlas-2", "atlaz-33", 2)).toBe(3);
    expect(editDistance("Atlas-2", "atlas-2", 0)).toBe(1); // case-sensitive
  });
});
