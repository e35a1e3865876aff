import { Form } from "@remix-run/react";
import { useId } from "react";
import type { OrgStatus } from "~/domain/organization";
import type { FieldErrors } from "./form";
import { ConfirmCheckbox, TextField } from "./form";

/** What a status change is called on its button, and whether it needs an explicit confirmation. */
export function statusChangeLabel(from: OrgStatus, to: OrgStatus) {
  if (to === "active") return from === "onboarding" ? "Approve" : "Reactivate";
  if (to === "suspended") return "Suspend";
  return "Offboard";
}
export const needsConfirmation = (to: OrgStatus) => to === "suspended" || to === "offboarded";

function explain(from: OrgStatus, to: OrgStatus) {
  if (to === "active") return from === "onboarding" ? "The agreement is in place: the organisation becomes active." : "Its users can sign in and act again.";
  if (to === "suspended") return "Its users are signed out and cannot sign in until it is reactivated.";
  return "Final: its users can no longer sign in and the organisation cannot be reactivated.";
}

type Props = {
  from: OrgStatus;
  changes: readonly OrgStatus[];
  orgName: string;
  /** Errors and values of the last submitted status form, to show beside the right one. */
  errors?: FieldErrors;
  values?: Record<string, string | string[]>;
};

/** One small form per allowed transition; suspending and offboarding ask for a ticked confirmation. */
export function OrgStatusActions({ from, changes, orgName, errors, values }: Props) {
  if (changes.length === 0) return <p className="muted">No further status changes: this organisation is offboarded.</p>;
  return (
    <div className="org-status-actions">
      {changes.map((to) => {
        const mine = values?.status === to;
        return <StatusForm key={to} from={from} to={to} orgName={orgName} errors={mine ? errors : undefined} reason={mine && typeof values?.reason === "string" ? values.reason : ""} />;
      })}
    </div>
  );
}

function StatusForm({ from, to, orgName, errors, reason }: { from: OrgStatus; to: OrgStatus; orgName: string; errors?: FieldErrors; reason: string }) {
  const id = useId();
  const label = statusChangeLabel(from, to);
  const confirm = needsConfirmation(to);
  const statusError = errors?.status?.[0];
  return (
    <Form method="post" className={`org-status-form${confirm ? " org-status-danger" : ""}`} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{label}</h3>
      <p className="muted">{explain(from, to)}</p>
      <input type="hidden" name="intent" value="status" />
      <input type="hidden" name="status" value={to} />
      <TextField label="Reason (optional)" name="reason" maxLength={500} defaultValue={reason} errors={errors} />
      {confirm ? (
        <ConfirmCheckbox className="org-confirm" errors={errors}>
          Yes, {label.toLowerCase()} {orgName}
        </ConfirmCheckbox>
      ) : null}
      {statusError ? (
        <p className="field-error" role="alert">
          {statusError}
        </p>
      ) : null}
      <button type="submit" className={confirm ? "danger" : "primary"}>
        {label} {orgName}
      </button>
    </Form>
  );
}
