import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeRejection, INVENTORY_SECTIONS, validateInventory, type InventorySnapshot, type NumberedDocument } from "~/domain/inventory-import";
import { importInventory, readInventoryFile } from "~/models/inventory-import.server";
import { getDb } from "../../db/client";
import { auditLog } from "../../db/schema";
import { count } from "drizzle-orm";
import { mulberry32 } from "~/domain/seeded-random";

// Issue 9 point 4 (inventory import): ≥ 10,000 generated and mutated inventory files, JSON and CSV,
// built from the fixtures (truncation, wrong types, huge fields, control characters, invalid UTF-8,
// deep JSON, broken quoting) go through reading and validation: nothing throws, a file is either
// refused with a reason or every one of its rows is planned or rejected with a reason, and memory stays bounded.

const rnd = mulberry32(0x696e76); // "inv"
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const FIXTURES = path.resolve(__dirname, "../fixtures");
const JSON_TEXT = fs.readFileSync(path.join(FIXTURES, "inventory.json"), "utf8");
const CSV_TEXT = fs.readFileSync(path.join(FIXTURES, "credentials.csv"), "utf8");
const BASE = JSON.parse(JSON_TEXT) as Record<string, Record<string, unknown>[]>;

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
const WEIRD: unknown[] = [null, true, false, 0, -1, 1e308, 3.7, "", " ", "-", [], {}, [1, [2]], { a: { b: 1 } }, "NaN", "\u0000", "\ud800", "x\u001by", "a".repeat(100_000), "2026-02-30", "9999-99-99T99:99:99Z", "999.1.1.1", "@ga", "*", "Secrets Manager", "ACTIVE", "a;b|c", "../../etc/passwd", "=cmd|' /C calc'!A0", "<script>alert(1)</script>"];

function mutateValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (rnd() < 0.2 ? pick(WEIRD) : x));
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const r = rnd();
    if (r < 0.4 && keys.length) o[pick(keys)] = pick(WEIRD);
    else if (r < 0.55 && keys.length) delete o[pick(keys)];
    else if (r < 0.7) o[pick(["keyId", "slug", "email", "name", "grant", "org", "status", "__proto__", "constructor"])] = pick(WEIRD);
    else if (r < 0.8 && keys.length) o[pick(keys)] = JSON.parse(deep(200 + int(800)));
    return o;
  }
  return pick(WEIRD);
}

function jsonVariant(): string {
  const doc: Record<string, unknown> = structuredClone(BASE);
  const r = rnd();
  if (r < 0.6) {
    for (let k = 0; k < 1 + int(4); k++) {
      const section = pick(INVENTORY_SECTIONS);
      const list = doc[section];
      if (Array.isArray(list) && list.length) {
        const i = int(list.length);
        list[i] = mutateValue(list[i]);
        if (rnd() < 0.2) list.push(structuredClone(list[i])); // a duplicate row
      } else doc[section] = mutateValue(list);
    }
  } else if (r < 0.7) doc[pick(INVENTORY_SECTIONS)] = pick(WEIRD);
  else if (r < 0.75) return pick(["null", "[]", "1", '"x"', "{}", deep(5000), `{"credentials":${deep(3000)}}`, ""]);
  let text = JSON.stringify(doc);
  return textMutation(text);
}

function csvVariant(): string {
  const lines = CSV_TEXT.split("\n");
  const r = rnd();
  if (r < 0.5) {
    const i = 1 + int(lines.length - 1);
    const cells = (lines[i] ?? "").split(",");
    for (let k = 0; k < 1 + int(3); k++) cells[int(cells.length + 2)] = String(pick(WEIRD)).replace(/\n/g, " ");
    lines[i] = cells.join(",");
  } else if (r < 0.6) lines[0] = pick(["", "keyId,keyId,org", "org,label", "\uFEFFKey ID,Org,Grant", "key_id;org;grant", '"keyId,org']);
  else if (r < 0.7) lines.splice(1 + int(lines.length - 1), 0, pick(['"unterminated,quote', 'a,"b""c",d', "x".repeat(50_000), ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", "\u0000,\u0001,\u0002"]));
  return textMutation(lines.join(rnd() < 0.2 ? "\r\n" : "\n"));
}

/** Byte-level damage: truncation, flipped bytes (possibly invalid UTF-8), control characters. */
function textMutation(text: string): string {
  const r = rnd();
  if (r < 0.15) return text.slice(0, int(text.length + 1));
  if (r < 0.3) {
    const bytes = Buffer.from(text);
    for (let k = 0; k < 1 + int(5); k++) bytes[int(bytes.length)] = int(256);
    return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  }
  if (r < 0.35) return text.replace(/,/, `,${String.fromCharCode(int(32))}`);
  return text;
}

const emptySnapshot = (): InventorySnapshot => ({ models: [], endpoints: [], organizations: [], users: [], credentials: [], retiredKeyIds: [] });

/**
 * Every row of the document is planned or rejected with a reason, or (a row that depends on a rejected
 * one, e.g. a contractor whose sponsor's row was refused, is not reported again) the file as a whole
 * is refused: nothing is dropped while the import goes through.
 */
function checkOutcome(doc: NumberedDocument, snapshot: InventorySnapshot) {
  const { plan, rejected } = validateInventory(doc, snapshot, new Date("2026-11-30T00:00:00Z"));
  for (const r of rejected) {
    expect(typeof r.reason).toBe("string");
    expect(r.reason.length).toBeGreaterThan(0);
    expect(describeRejection(r).length).toBeGreaterThan(0);
  }
  for (const section of INVENTORY_SECTIONS) {
    const planned = new Set(plan[section].map((p) => p.row));
    const refused = new Set(rejected.filter((r) => r.section === section).map((r) => r.row));
    for (const row of doc[section]) {
      const ok = planned.has(row.row) || refused.has(row.row) || rejected.length > 0;
      expect(ok, `${section} row ${row.row} neither planned nor rejected, and the file is accepted`).toBe(true);
    }
  }
  return rejected.length;
}

describe("inventory import fuzzing", () => {
  it("reads and validates 12,000 mutated JSON and CSV files without throwing; every file or row refused has a reason", () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const tally = { refusedFiles: 0, rejectedRows: 0, clean: 0, json: 0, csv: 0 };
    for (let i = 0; i < 12_000; i++) {
      const isJson = i % 2 === 0;
      const text = isJson ? jsonVariant() : csvVariant();
      const name = isJson ? (rnd() < 0.9 ? "inv.json" : "inv") : rnd() < 0.9 ? "inv.csv" : "inv.txt";
      const file = readInventoryFile(name, text);
      tally[file.format]++;
      if (!file.ok) {
        expect(file.error.length).toBeGreaterThan(0);
        tally.refusedFiles++;
        continue;
      }
      const n = checkOutcome(file.doc, emptySnapshot());
      if (n > 0) tally.rejectedRows++;
      else tally.clean++;
    }
    // The mutations reach every outcome, not just one.
    expect(tally.refusedFiles).toBeGreaterThan(500);
    expect(tally.rejectedRows).toBeGreaterThan(2000);
    expect(tally.json + tally.csv).toBe(12_000);
    global.gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(512 * 1024 ** 2);
  }, 120_000);

  it("through the real import (dry run on a database holding the fixture), mutated files change nothing and are refused with reasons", () => {
    const first = readInventoryFile("inventory.json", JSON_TEXT);
    if (!first.ok) throw new Error(first.error);
    const ctx = { actor: null, ip: null };
    const applied = importInventory(ctx, first.doc);
    expect(applied.rejected).toEqual([]);
    const auditRows = getDb().select({ n: count() }).from(auditLog).get()!.n;
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const file = readInventoryFile(i % 2 ? "inv.csv" : "inv.json", i % 2 ? csvVariant() : jsonVariant());
      if (!file.ok) continue;
      const result = importInventory(ctx, file.doc, { dryRun: true });
      expect(result.dryRun).toBe(true);
      for (const r of result.rejected) expect(r.reason.length).toBeGreaterThan(0);
      if (result.rejected.length) refused++;
    }
    expect(refused).toBeGreaterThan(100);
    // A dry run writes nothing (not even an audit row).
    expect(getDb().select({ n: count() }).from(auditLog).get()!.n).toBe(auditRows);
  }, 120_000);
});
