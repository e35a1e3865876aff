import { z } from "zod";
import { KEY_REF_KINDS, MAX_GATEWAY_ERROR, MAX_ID, MAX_PATH, MAX_TS, MAX_USER_AGENT, MIN_TS } from "./log-event";

// The canonical event's contract (app/domain/log-event.ts says what each field means). Apart from the
// parsers, which check the same constraints by hand, so that the import's parse worker loads no zod.

const noControl = /^[^\x00-\x1f\x7f]*$/;
const text = (max: number) => z.string().min(1).max(max).regex(noControl);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const CanonicalEventSchema = z
  .strictObject({
    ts: z.number().int().min(MIN_TS).max(MAX_TS),
    requestId: text(MAX_ID).nullable(),
    keyRef: text(MAX_ID).nullable(),
    keyRefKind: z.enum(KEY_REF_KINDS).nullable(),
    srcIp: z.union([z.ipv4(), z.ipv6()]).nullable(),
    asn: z.number().int().min(0).max(4_294_967_295).nullable(),
    country: z.string().regex(/^[A-Z][A-Z0-9]$/).nullable(),
    userAgent: z.string().max(MAX_USER_AGENT).regex(noControl).nullable(),
    method: z.string().regex(/^[A-Z][A-Z0-9_-]{0,31}$/),
    path: z.string().min(1).max(MAX_PATH).regex(/^[^\x00-\x1f\x7f?]+$/),
    model: text(MAX_ID).nullable(),
    status: z.number().int().refine((s) => s === 0 || (s >= 100 && s <= 599), "status is 0 or 100–599"),
    gatewayError: text(MAX_GATEWAY_ERROR).nullable(),
    bytes: count.nullable(),
    latencyMs: count.nullable(),
    tokensIn: count.nullable(),
    tokensOut: count.nullable(),
  })
  .superRefine((e, ctx) => {
    if ((e.keyRef === null) !== (e.keyRefKind === null)) ctx.addIssue({ code: "custom", path: ["keyRefKind"], message: "keyRef and keyRefKind go together" });
    if (e.keyRefKind === "fingerprint" && e.keyRef !== null && !/^[0-9a-f]{64}$/.test(e.keyRef)) {
      ctx.addIssue({ code: "custom", path: ["keyRef"], message: "a fingerprint is 64 lowercase hex characters" });
    }
  });

export type CanonicalEvent = z.infer<typeof CanonicalEventSchema>;
