import { z } from "zod";

export const MODEL_STATUSES = ["ga", "restricted", "unreleased", "retired"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

const modelName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, "Use lowercase letters, digits, dots, dashes and underscores");

export const ModelSchema = z.object({
  name: modelName,
  status: z.enum(MODEL_STATUSES, { message: "Choose a status" }),
  aliases: z
    .string()
    .optional()
    .transform((s) => (s ?? "").split(/[\s,]+/).map((a) => a.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(modelName).max(20, "At most 20 aliases")),
  description: z.string().trim().max(500).optional(),
});
export type ModelInput = z.infer<typeof ModelSchema>;

export const EndpointSchema = z.object({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "Use lowercase letters, digits, dots, dashes and underscores"),
  methods: z.array(z.enum(HTTP_METHODS)).min(1, "Pick at least one method"),
  pathTemplate: z
    .string()
    .trim()
    .regex(/^\/[A-Za-z0-9._~\-/{}]*$/, "Start with / and use only path characters and {placeholders}")
    .refine((p) => (p.match(/\{[a-z]+\}/g) ?? []).length === (p.match(/[{}]/g) ?? []).length / 2, "Placeholders look like {model}"),
});
export type EndpointInput = z.infer<typeof EndpointSchema>;

export function namesModel(pathTemplate: string) {
  return pathTemplate.includes("{model}");
}

export const MODEL_STATUS_LABELS: Record<ModelStatus, string> = {
  ga: "Generally available",
  restricted: "Restricted",
  unreleased: "Unreleased",
  retired: "Retired",
};
