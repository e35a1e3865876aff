import { describe, expect, it } from "vitest";
import { pageWindow } from "~/domain/pagination";

describe("server pagination", () => {
  it("clamps the page to 1…pageCount and gives the offset", () => {
    expect(pageWindow(51, 2, 25)).toEqual({ page: 2, pageCount: 3, offset: 25 });
    expect(pageWindow(51, 9, 25)).toEqual({ page: 3, pageCount: 3, offset: 50 });
    expect(pageWindow(51, 0, 25)).toEqual({ page: 1, pageCount: 3, offset: 0 });
    expect(pageWindow(0, undefined, 25)).toEqual({ page: 1, pageCount: 1, offset: 0 });
  });
});
