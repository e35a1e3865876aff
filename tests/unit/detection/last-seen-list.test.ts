import { describe, expect, it } from "vitest";
import { LastSeenList } from "~/domain/detection/last-seen-list";

type N = { key: string; prev: N | null; next: N | null };
const node = (key: string): N => ({ key, prev: null, next: null });
const order = (l: LastSeenList<N>) => {
  const out: string[] = [];
  for (let n = l.head; n !== null; n = n.next) out.push(n.key);
  const back: string[] = [];
  for (let n = l.tail; n !== null; n = n.prev) back.push(n.key);
  expect(back.reverse()).toEqual(out); // both directions agree
  return out;
};

describe("last-seen list", () => {
  it("keeps entries in last-seen order: added at the back, moved to the back when seen again", () => {
    const l = new LastSeenList<N>();
    for (const k of ["a", "b", "c"]) l.add(node(k));
    expect(order(l)).toEqual(["a", "b", "c"]);
    l.moveToBack(l.get("a")!);
    expect(order(l)).toEqual(["b", "c", "a"]);
    l.moveToBack(l.get("a")!); // already the back: nothing moves
    expect(order(l)).toEqual(["b", "c", "a"]);
    l.moveToBack(l.get("c")!);
    expect(order(l)).toEqual(["b", "a", "c"]);
  });

  it("removes from the front, the middle and the back, forgetting the key", () => {
    const l = new LastSeenList<N>();
    for (const k of ["a", "b", "c", "d"]) l.add(node(k));
    l.remove(l.head!);
    l.remove(l.get("c")!);
    l.remove(l.tail!);
    expect(order(l)).toEqual(["b"]);
    expect(l.size).toBe(1);
    expect(l.has("a") || l.has("c") || l.has("d")).toBe(false);
    l.remove(l.get("b")!);
    expect(l.head).toBeNull();
    expect(l.tail).toBeNull();
    l.add(node("e"));
    expect(order(l)).toEqual(["e"]);
  });
});
