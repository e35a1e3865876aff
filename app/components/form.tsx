import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { useId } from "react";
import { useNavigation } from "@remix-run/react";
import { typedValue } from "~/domain/form-errors";

export type FieldErrors = Record<string, string[] | undefined>;

type Common = { label: string; name: string; errors?: FieldErrors; hint?: ReactNode };

/** The aria-describedby of a field: the ids of its hint and its error, when they are shown. */
export function describedBy(id: string, hint: unknown, error: unknown) {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

/** A field's hint, with the id describedBy() points at. */
export function FieldHint({ id, hint }: { id: string; hint?: ReactNode }) {
  return hint ? (
    <p id={`${id}-hint`} className="hint">
      {hint}
    </p>
  ) : null;
}

/** A field's error message, announced, with the id describedBy() points at. */
export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={`${id}-error`} className="field-error" role="alert">
      {error}
    </p>
  ) : null;
}

function FieldShell({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      <FieldHint id={id} hint={hint} />
      <FieldError id={id} error={error} />
    </div>
  );
}

export function TextField({ label, name, errors, hint, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const error = errors?.[name]?.[0];
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...input} />
    </FieldShell>
  );
}

export function TextArea({ label, name, errors, hint, ...input }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const error = errors?.[name]?.[0];
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <textarea id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...input} />
    </FieldShell>
  );
}

export function SelectField({
  label,
  name,
  errors,
  hint,
  options,
  placeholder,
  ...select
}: Common & SelectHTMLAttributes<HTMLSelectElement> & { options: readonly { value: string; label: string }[]; placeholder?: string }) {
  const id = useId();
  const error = errors?.[name]?.[0];
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <select id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...select}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** The "Yes, do it" tick a dangerous action asks for: checkbox name="confirm" value="yes", with its error. */
export function ConfirmCheckbox({ className, errors, children }: { className: string; errors?: FieldErrors; children: ReactNode }) {
  const id = useId();
  const error = errors?.confirm?.[0];
  return (
    <div className={`field ${className}${error ? " has-error" : ""}`}>
      <label htmlFor={id}>
        <input id={id} type="checkbox" name="confirm" value="yes" aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />{" "}
        {children}
      </label>
      <FieldError id={id} error={error} />
    </div>
  );
}

/** A summary at the top of a form that failed, linking nothing but saying plainly what to fix. */
export function FormErrors({ errors, formError }: { errors?: FieldErrors; formError?: string | null }) {
  const count = errors ? Object.values(errors).filter((v) => v && v.length).length : 0;
  if (!formError && count === 0) return null;
  return (
    <div className="alert error" role="alert">
      {formError ?? `Please correct ${count === 1 ? "the field" : `the ${count} fields`} marked below.`}
    </div>
  );
}

type ActionResult = { errors?: FieldErrors | null; values?: Record<string, string | string[]> | null } | null | undefined;

/**
 * What a form re-rendered after its action needs: whether it is being sent (only this form's `intent`
 * when the page has several), its field errors, and what the user typed into a field.
 */
export function useFormState(result: ActionResult, intent?: string) {
  const nav = useNavigation();
  const busy = nav.state === "submitting" && (intent === undefined || nav.formData?.get("intent") === intent);
  const errors = result?.errors ?? undefined;
  return { busy, errors, typed: (k: string) => typedValue(result?.values, k) };
}
