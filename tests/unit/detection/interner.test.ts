import { describe, expect, it } from "vitest";
import { Interner, PrefixedKeys } from "~/domain/detection/interner";

describe("Interner", () => {
  // (Which copy comes back cannot be observed in JavaScript: these check the values.)
  it("returns each value as given, and null as null", () => {
    const strings = new Interner();
    const a = JSON.parse('"198.51.100.23"') as string;
    const b = JSON.parse('"198.51.100.23"') as string;
    expect(strings.intern(a)).toBe(a);
    expect(strings.intern(b)).toBe(a);
    expect(strings.intern(null)).toBeNull();
  });

  it("starts over when full, and values stay correct", () => {
    const strings = new Interner(2);
    const first = JSON.parse('"a"') as string;
    strings.intern(first);
    strings.intern("b");
    strings.intern("c"); // full: cleared, then "c" kept
    const again = JSON.parse('"a"') as string;
    expect(strings.intern(again)).toBe("a");
    expect(strings.intern("c")).toBe("c");
  });
});

describe("PrefixedKeys", () => {
  it("builds prefix + value, and keeps giving it when full", () => {
    const keys = new PrefixedKeys("key:", 2);
    expect(keys.of("a")).toBe("key:a");
    expect(keys.of("a")).toBe("key:a");
    expect(keys.of("b")).toBe("key:b");
    expect(keys.of("c")).toBe("key:c"); // full: started over
    expect(keys.of("a")).toBe("key:a");
  });
});
