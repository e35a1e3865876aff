import { z } from "zod";

export const MODEL_STATUSES = ["ga", "restricted", "unreleased", "retired"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const NAME_MESSAGE = "Use lowercase letters, digits, dots, dashes and underscores, starting with a letter or digit";

const modelName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, `${NAME_MESSAGE} (at most 80 characters)`);

/** Aliases typed as "a, b c" (commas or spaces) or given as a list: trimmed, lowercased, deduplicated. */
export function parseAliases(raw: string | readonly string[] | undefined | null): string[] {
  const parts = typeof raw === "string" ? raw.split(/[\s,]+/) : (raw ?? []).flatMap((a) => a.split(/[\s,]+/));
  return [...new Set(parts.map((a) => a.trim().toLowerCase()).filter(Boolean))];
}

export const ModelSchema = z.object({
  name: modelName,
  status: z.enum(MODEL_STATUSES, { message: "Choose a status" }),
  aliases: z
    .union([z.string(), z.array(z.string())], { message: "List aliases separated by commas" })
    .optional()
    .transform((raw) => parseAliases(raw))
    .pipe(z.array(modelName).max(20, "At most 20 aliases")),
  description: z.string().trim().max(500, "At most 500 characters").optional(),
});
export type ModelInput = z.infer<typeof ModelSchema>;

const PLACEHOLDER = /\{[a-z][a-z0-9_]*\}/g;

export const EndpointSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, `${NAME_MESSAGE} (at most 64 characters)`),
  methods: z
    .array(z.enum(HTTP_METHODS, { message: `Methods are ${HTTP_METHODS.join(", ")}` }))
    .min(1, "Pick at least one method")
    .transform((ms) => HTTP_METHODS.filter((m) => ms.includes(m))),
  pathTemplate: z
    .string()
    .trim()
    .max(200, "At most 200 characters")
    .regex(/^\/[A-Za-z0-9._~\-/{}]*$/, "Start with / and use only path characters and {placeholders}")
    .refine((p) => !p.includes("//"), "No empty path segments (//)")
    .refine((p) => !p.split("/").some((s) => s === "." || s === ".."), "No . or .. segments")
    .refine((p) => (p.match(PLACEHOLDER) ?? []).length * 2 === (p.match(/[{}]/g) ?? []).length, "Placeholders look like {model}"),
});
export type EndpointInput = z.infer<typeof EndpointSchema>;

/** Whether requests to this template carry a model name (the `{model}` placeholder). */
export function namesModel(pathTemplate: string) {
  return pathTemplate.includes("{model}");
}

export const MODEL_STATUS_LABELS: Record<ModelStatus, string> = {
  ga: "Generally available",
  restricted: "Restricted",
  unreleased: "Unreleased",
  retired: "Retired",
};
