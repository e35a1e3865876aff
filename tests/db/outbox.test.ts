import { delay, http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { outbox } from "../../db/schema";
import { MAX_DELIVERY_ATTEMPTS } from "~/domain/backoff";
import { verifyWebhook } from "~/domain/webhook-signature";
import { deliverDueOutbox, enqueueEvent } from "~/models/outbox.server";
import { redeliver } from "~/models/webhook.server";
import { GATEWAY_HOOK_URL, PARTNER_HOOK_URL, webhookReceiver } from "../mocks/handlers";
import { server, useMockServer } from "../mocks/server";
import { actorFor, createOrg, createUser } from "../support/factories";
import { insertWebhook, outboxRows } from "../support/outbox-factory";

useMockServer();

const raw = () => getDb().$client;
const T0 = new Date("2026-11-24T10:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const noJitter = () => 0.5;

function enqueue(event: string, data: Record<string, unknown>, orgId: string | null, now = T0) {
  return getDb().transaction((tx) => enqueueEvent(tx, event, data, { orgId, now }));
}

beforeEach(() => {
  // Each test starts with no receivers and an empty queue (deleting webhooks cascades to the outbox).
  raw().prepare("DELETE FROM webhooks").run();
});

describe("outbox delivery", () => {
  it("POSTs the stored body unchanged with a signature the receiver verifies, then marks the row delivered", async () => {
    const org = createOrg();
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL, events: ["credential.revoked"] });
    const receiver = webhookReceiver(GATEWAY_HOOK_URL, { secret: hook.secret });
    server.use(receiver.handler);

    expect(enqueue("credential.revoked", { keyId: "kw_live_abc", org: org.slug, reason: "left the company — “ü”" }, org.id)).toBe(1);
    const [queued] = outboxRows(hook.id);
    expect(queued).toMatchObject({ status: "pending", attempts: 0, event: "credential.revoked" });

    const result = await deliverDueOutbox({ now: T0 });
    expect(result).toEqual({ claimed: 1, delivered: 1, failed: 0, dead: 0 });
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got.signatureValid).toBe(true);
    expect(got.body).toBe(queued.payload);
    expect(JSON.parse(got.body)).toMatchObject({ event: "credential.revoked", data: { keyId: "kw_live_abc", org: org.slug } });
    expect(got.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Keyward-Webhooks/1",
      "x-keyward-event": "credential.revoked",
      "x-keyward-delivery": String(queued.id),
      "x-keyward-timestamp": String(T0.getTime() / 1000),
    });
    expect(got.headers["x-keyward-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    // A receiver holding another secret, or seeing another body, rejects it.
    expect(verifyWebhook({ secret: "not the secret", timestamp: got.headers["x-keyward-timestamp"], body: got.body, signature: got.headers["x-keyward-signature"] })).toBe(false);
    expect(verifyWebhook({ secret: hook.secret, timestamp: got.headers["x-keyward-timestamp"], body: got.body.replace("abc", "abd"), signature: got.headers["x-keyward-signature"] })).toBe(false);

    expect(outboxRows(hook.id)[0]).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 204, lastError: null, deliveredAt: T0 });
    // Delivered rows are not sent again.
    expect(await deliverDueOutbox({ now: at(3_600_000) })).toMatchObject({ claimed: 0 });
    expect(receiver.received).toHaveLength(1);
  });

  it("retries a failing receiver (500, then 200) after the backoff, and not before", async () => {
    const hook = insertWebhook({ url: PARTNER_HOOK_URL });
    const receiver = webhookReceiver(PARTNER_HOOK_URL, {
      secret: hook.secret,
      respond: (call) => (call === 1 ? new HttpResponse("boom", { status: 500, statusText: "Internal Server Error" }) : new HttpResponse(null, { status: 200 })),
    });
    server.use(receiver.handler);
    enqueue("credential.suspended", { keyId: "kw_1" }, null);

    expect(await deliverDueOutbox({ now: T0, random: noJitter })).toEqual({ claimed: 1, delivered: 0, failed: 1, dead: 0 });
    expect(outboxRows(hook.id)[0]).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500, lastError: "HTTP 500 Internal Server Error: boom", nextAttemptAt: at(30_000) });

    expect(await deliverDueOutbox({ now: at(29_999), random: noJitter })).toMatchObject({ claimed: 0 });
    expect(receiver.received).toHaveLength(1);

    expect(await deliverDueOutbox({ now: at(30_000), random: noJitter })).toEqual({ claimed: 1, delivered: 1, failed: 0, dead: 0 });
    expect(receiver.received).toHaveLength(2);
    const [first, second] = receiver.received;
    expect(second.signatureValid).toBe(true);
    expect(second.body).toBe(first.body);
    expect(second.headers["x-keyward-delivery"]).toBe(first.headers["x-keyward-delivery"]);
    expect(Number(second.headers["x-keyward-timestamp"]) - Number(first.headers["x-keyward-timestamp"])).toBe(30);
    expect(outboxRows(hook.id)[0]).toMatchObject({ status: "delivered", attempts: 2, lastStatus: 200, lastError: null });
  });

  it("gives up after 8 failed attempts: the row is dead and no longer sent", async () => {
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL });
    const receiver = webhookReceiver(GATEWAY_HOOK_URL, { respond: () => new HttpResponse(null, { status: 503 }) });
    server.use(receiver.handler);
    enqueue("credential.revoked", { keyId: "kw_2" }, null);

    let now = T0;
    const waits: number[] = [];
    for (let i = 1; i <= MAX_DELIVERY_ATTEMPTS; i++) {
      const r = await deliverDueOutbox({ now, random: noJitter });
      expect(r.claimed).toBe(1);
      const row = outboxRows(hook.id)[0];
      expect(row.attempts).toBe(i);
      if (i < MAX_DELIVERY_ATTEMPTS) {
        expect(row.status).toBe("pending");
        waits.push(row.nextAttemptAt.getTime() - now.getTime());
        now = row.nextAttemptAt;
      } else {
        expect(r.dead).toBe(1);
        expect(row).toMatchObject({ status: "dead", lastStatus: 503 });
      }
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 960, 1920].map((s) => s * 1000));
    expect(await deliverDueOutbox({ now: at(30 * 86_400_000) })).toMatchObject({ claimed: 0 });
    expect(receiver.received).toHaveLength(8);
  });

  it("counts no answer within the timeout as a failure, as it does a network error", async () => {
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL });
    const other = insertWebhook({ url: PARTNER_HOOK_URL });
    server.use(
      http.post(GATEWAY_HOOK_URL, async () => {
        await delay(400);
        return new HttpResponse(null, { status: 200 });
      }),
      http.post(PARTNER_HOOK_URL, () => HttpResponse.error()),
    );
    enqueue("credential.revoked", { keyId: "kw_3" }, null);

    const r = await deliverDueOutbox({ now: T0, timeoutMs: 50, random: noJitter });
    expect(r).toEqual({ claimed: 2, delivered: 0, failed: 2, dead: 0 });
    const timedOut = outboxRows(hook.id)[0];
    expect(timedOut).toMatchObject({ status: "pending", attempts: 1, lastStatus: null, nextAttemptAt: at(30_000) });
    expect(timedOut.lastError).toMatch(/timeout/);
    const refused = outboxRows(other.id)[0];
    expect(refused).toMatchObject({ status: "pending", attempts: 1, lastStatus: null });
    expect(refused.lastError).toBeTruthy();
    await delay(450); // let the slow handler finish before its override is reset
  });

  it("sends each row once when two runs race (the rows are claimed before sending)", async () => {
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL });
    const receiver = webhookReceiver(GATEWAY_HOOK_URL, {
      secret: hook.secret,
      respond: async () => {
        await delay(20);
        return new HttpResponse(null, { status: 202 });
      },
    });
    server.use(receiver.handler);
    for (let i = 0; i < 5; i++) enqueue("credential.revoked", { keyId: `kw_race_${i}` }, null);

    const [a, b] = await Promise.all([deliverDueOutbox({ now: T0 }), deliverDueOutbox({ now: T0 })]);
    expect(a.claimed + b.claimed).toBe(5);
    expect(a.delivered + b.delivered).toBe(5);
    const ids = receiver.received.map((d) => d.headers["x-keyward-delivery"]);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(outboxRows(hook.id).every((r) => r.status === "delivered" && r.attempts === 1)).toBe(true);
  });

  it("holds the rows of a paused endpoint in the queue", async () => {
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL });
    enqueue("credential.revoked", { keyId: "kw_4" }, null);
    getDb().$client.prepare("UPDATE webhooks SET active = 0 WHERE id = ?").run(hook.id);
    expect(await deliverDueOutbox({ now: T0 })).toMatchObject({ claimed: 0 });
    expect(outboxRows(hook.id)[0]).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("redelivers a dead row: back to pending from zero attempts, same body, audited", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const hook = insertWebhook({ url: GATEWAY_HOOK_URL });
    enqueue("credential.revoked", { keyId: "kw_5" }, null);
    const [row] = outboxRows(hook.id);
    getDb().update(outbox).set({ status: "dead", attempts: 8, lastStatus: 500 }).run();
    const ctx = { actor: actorFor(vm.id), ip: "203.0.113.5", now: at(60_000) };

    expect(redeliver(ctx, row.id)).toEqual({ ok: true, value: { id: row.id } });
    expect(outboxRows(hook.id)[0]).toMatchObject({ status: "pending", attempts: 0, nextAttemptAt: at(60_000), payload: row.payload });
    expect(redeliver(ctx, row.id)).toMatchObject({ ok: false });
    expect(redeliver(ctx, 999_999)).toBeNull();
    const audit = raw().prepare("SELECT * FROM audit_log WHERE action = 'webhook.redelivered'").all() as { target_id: string; details: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0].target_id).toBe(hook.id);
    expect(JSON.parse(audit[0].details)).toMatchObject({ delivery: row.id, previousStatus: "dead" });

    const receiver = webhookReceiver(GATEWAY_HOOK_URL, { secret: hook.secret });
    server.use(receiver.handler);
    expect(await deliverDueOutbox({ now: at(60_000) })).toMatchObject({ delivered: 1 });
    expect(receiver.received[0].body).toBe(row.payload);
  });
});

describe("enqueueEvent: who hears about what", () => {
  it("queues an event only for active webhooks subscribed to it, within their organisation scope", () => {
    const partner = createOrg({ kind: "partner" });
    const contractor = createOrg({ kind: "contractor", parentId: partner.id });
    const other = createOrg({ kind: "partner" });
    const gateway = insertWebhook({ url: GATEWAY_HOOK_URL, events: ["credential.revoked", "credential.suspended"] });
    const remindersOnly = insertWebhook({ url: GATEWAY_HOOK_URL, events: ["rotation.reminder"] });
    const paused = insertWebhook({ url: GATEWAY_HOOK_URL, events: ["*"], active: false });
    const partnerHook = insertWebhook({ url: PARTNER_HOOK_URL, events: ["*"], orgId: partner.id });
    const contractorHook = insertWebhook({ url: PARTNER_HOOK_URL, events: ["credential.revoked"], orgId: contractor.id });
    const otherHook = insertWebhook({ url: PARTNER_HOOK_URL, events: ["*"], orgId: other.id });

    const heard = () => {
      const byHook = new Map<string, string[]>();
      for (const r of outboxRows()) byHook.set(r.webhookId, [...(byHook.get(r.webhookId) ?? []), `${r.event}:${JSON.parse(r.payload).data.keyId}`]);
      return byHook;
    };

    expect(enqueue("credential.revoked", { keyId: "contractor-key" }, contractor.id)).toBe(3);
    expect(enqueue("credential.revoked", { keyId: "partner-key" }, partner.id)).toBe(2);
    expect(enqueue("credential.suspended", { keyId: "other-key" }, other.id)).toBe(2);
    expect(enqueue("rotation.reminder", { keyId: "partner-key" }, partner.id)).toBe(2);

    const h = heard();
    // The gateway hears every organisation's revocations and suspensions, and nothing else.
    expect(h.get(gateway.id)).toEqual(["credential.revoked:contractor-key", "credential.revoked:partner-key", "credential.suspended:other-key"]);
    expect(h.get(remindersOnly.id)).toEqual(["rotation.reminder:partner-key"]);
    // A partner hears about itself and its contractors, never another partner.
    expect(h.get(partnerHook.id)).toEqual(["credential.revoked:contractor-key", "credential.revoked:partner-key", "rotation.reminder:partner-key"]);
    // A contractor hears about itself only, not its sponsor.
    expect(h.get(contractorHook.id)).toEqual(["credential.revoked:contractor-key"]);
    expect(h.get(otherHook.id)).toEqual(["credential.suspended:other-key"]);
    expect(h.get(paused.id)).toBeUndefined();
  });

  it("writes nothing when the surrounding transaction rolls back", () => {
    insertWebhook({ url: GATEWAY_HOOK_URL });
    expect(() =>
      getDb().transaction((tx) => {
        enqueueEvent(tx, "credential.revoked", { keyId: "x" }, { orgId: null });
        throw new Error("the change failed");
      }),
    ).toThrow("the change failed");
    expect(outboxRows()).toHaveLength(0);
  });
});
