import { useId, type ReactNode } from "react";
import { describedBy, FieldError, FieldHint, type FieldErrors } from "~/components/form";

export type CheckboxOption = { value: string; label: ReactNode };

/** A fieldset of checkboxes sharing one name (a multi-value form field), with its legend, hint and error. */
export function CheckboxGroup({
  legend,
  name,
  options,
  checked,
  errors,
  hint,
  className,
}: {
  legend: string;
  name: string;
  options: readonly CheckboxOption[];
  checked: readonly string[];
  errors?: FieldErrors;
  hint?: ReactNode;
  /** An extra class for the fieldset, for a layout of its own. */
  className?: string;
}) {
  const id = useId();
  const error = errors?.[name]?.[0];
  return (
    <fieldset className={`checkbox-group${className ? ` ${className}` : ""}${error ? " has-error" : ""}`} aria-describedby={describedBy(id, hint, error)}>
      <legend>{legend}</legend>
      {options.length === 0 ? <p className="muted">Nothing to choose from.</p> : null}
      {options.map((o) => (
        <label key={o.value} className="checkbox-option">
          <input type="checkbox" name={name} value={o.value} defaultChecked={checked.includes(o.value)} /> {o.label}
        </label>
      ))}
      <FieldHint id={id} hint={hint} />
      <FieldError id={id} error={error} />
    </fieldset>
  );
}

/** A submitted value (string or repeated) as a list, for re-checking boxes after a failed submit. */
export function asList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" && v ? [v] : [];
}
