import type { z } from "zod";

/** zod issues as { field: [messages] } for re-rendering a form next to what the user typed. */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** A form's fields as a plain object (repeated names become arrays), for zod and for re-rendering. */
export function formValues(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const all = form.getAll(key).filter((v): v is string => typeof v === "string");
    out[key] = all.length > 1 ? all : (all[0] ?? "");
  }
  return out;
}

/** What the user typed into one field of a re-rendered form (a single value), or undefined. */
export function typedValue(values: Record<string, string | string[]> | null | undefined, key: string): string | undefined {
  const v = values?.[key];
  return typeof v === "string" ? v : undefined;
}

/** For z.preprocess: a blank text field ("" or spaces) counts as not given. */
export function blankToUndefined(v: unknown): unknown {
  return typeof v === "string" && v.trim() === "" ? undefined : v;
}
