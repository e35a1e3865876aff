import { useId, type ReactNode } from "react";
import type { FieldErrors } from "~/components/form";

export type CheckboxOption = { value: string; label: ReactNode };

/** A fieldset of checkboxes sharing one name (a multi-value form field), with its legend, hint and error. */
export function CheckboxGroup({
  legend,
  name,
  options,
  checked,
  errors,
  hint,
}: {
  legend: string;
  name: string;
  options: readonly CheckboxOption[];
  checked: readonly string[];
  errors?: FieldErrors;
  hint?: ReactNode;
}) {
  const id = useId();
  const error = errors?.[name]?.[0];
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset className={`checkbox-group${error ? " has-error" : ""}`} aria-describedby={described}>
      <legend>{legend}</legend>
      {options.length === 0 ? <p className="muted">Nothing to choose from.</p> : null}
      {options.map((o) => (
        <label key={o.value} className="checkbox-option">
          <input type="checkbox" name={name} value={o.value} defaultChecked={checked.includes(o.value)} /> {o.label}
        </label>
      ))}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** A submitted value (string or repeated) as a list, for re-checking boxes after a failed submit. */
export function asList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" && v ? [v] : [];
}
