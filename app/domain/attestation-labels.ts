import type { AttestationState } from "./attestation-schedule";
type Tone = "neutral" | "good" | "warn" | "bad" | "info";

// Words and tones for attestation statuses and states, and the partner's next step.

export type AttestationStatusName = "requested" | "in_progress" | "submitted" | "clarification" | "accepted" | "rejected";

export const ATTESTATION_STATUS_LABELS: Record<AttestationStatusName, string> = {
  requested: "Requested",
  in_progress: "In progress",
  submitted: "Submitted",
  clarification: "Clarification asked",
  accepted: "Accepted",
  rejected: "Rejected",
};
export const ATTESTATION_STATUS_TONES: Record<AttestationStatusName, Tone> = {
  requested: "info",
  in_progress: "info",
  submitted: "warn",
  clarification: "warn",
  accepted: "good",
  rejected: "bad",
};

export const STATE_LABELS: Record<AttestationState, string> = { current: "Current", due_soon: "Due soon", overdue: "Overdue", missing: "Attestation missing" };
export const STATE_TONES: Record<AttestationState, Tone> = { current: "good", due_soon: "warn", overdue: "bad", missing: "bad" };

/** What a partner user should do next with an attestation in this status. */
export function nextStep(status: AttestationStatusName, canSubmit: boolean): string {
  switch (status) {
    case "requested":
    case "in_progress":
      return canSubmit ? "Answer every control, attach the evidence asked for, confirm the credential roster, then submit with your signed statement." : "Answer the controls and attach evidence; your organisation's admin submits.";
    case "clarification":
      return canSubmit ? "The reviewer asked questions on some controls: answer them, adjust your answers if needed, and resubmit." : "The reviewer asked questions: reply to them; your admin resubmits.";
    case "submitted":
      return "Submitted: waiting for the vendor manager's review.";
    case "accepted":
      return "Accepted: download the signed receipt. Close the open gaps by their due dates.";
    case "rejected":
      return "Rejected: read the reviewer's reasons; a new request will follow.";
  }
}
