import { describe, expect, it } from "vitest";
import { DAY_MS } from "~/domain/credential-policy";
import { reminderKey, reminderStage } from "~/domain/reminders";

const due = new Date("2026-12-31T12:00:00Z");
const at = (days: number, ms = 0) => new Date(due.getTime() + days * DAY_MS + ms);

describe("rotation reminder stages", () => {
  it("has no reminder more than 14 days before the due date", () => {
    expect(reminderStage(due, at(-100))).toBeNull();
    expect(reminderStage(due, at(-14, -1))).toBeNull();
  });

  it("sends the 14-day reminder from exactly 14 days before until 3 days before", () => {
    expect(reminderStage(due, at(-14))).toBe("due-in-14d");
    expect(reminderStage(due, at(-10))).toBe("due-in-14d");
    expect(reminderStage(due, at(-3, -1))).toBe("due-in-14d");
  });

  it("sends the 3-day reminder from exactly 3 days before until the due time", () => {
    expect(reminderStage(due, at(-3))).toBe("due-in-3d");
    expect(reminderStage(due, at(0, -1))).toBe("due-in-3d");
  });

  it("sends the due reminder on and after the due time, for a week", () => {
    expect(reminderStage(due, at(0))).toBe("due");
    expect(reminderStage(due, at(6))).toBe("due");
    expect(reminderStage(due, at(7, -1))).toBe("due");
  });

  it("then one reminder per overdue week", () => {
    expect(reminderStage(due, at(7))).toBe("overdue-w1");
    expect(reminderStage(due, at(13))).toBe("overdue-w1");
    expect(reminderStage(due, at(14))).toBe("overdue-w2");
    expect(reminderStage(due, at(70))).toBe("overdue-w10");
  });

  it("keys a reminder by credential, stage and due day, so a new due date starts afresh", () => {
    expect(reminderKey("c1", "due-in-3d", due)).toBe("rotation-reminder:c1:due-in-3d:2026-12-31");
    expect(reminderKey("c1", "due-in-3d", at(90))).not.toBe(reminderKey("c1", "due-in-3d", due));
  });
});
