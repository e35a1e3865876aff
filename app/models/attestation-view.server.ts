import type { Actor } from "~/domain/actor";
import { scoreAttestation } from "~/domain/attestation-scoring";
import { can } from "~/domain/permissions";
import { evidenceControlIds, getAttestationSummary, listAnswers, listGaps, listMessages, listRoster, OPEN_FOR_ANSWERS, previousAccepted } from "./attestation.server";
import { getTemplate } from "./attestation-template.server";
import { listEvidence } from "./evidence.server";

// Everything the attestation page shows, read in one place for its loader (scoped: null when the
// attestation is another tenant's).

export function attestationPage(actor: Actor, id: string) {
  const att = getAttestationSummary(actor, id);
  if (!att) return null;
  const template = getTemplate(att.templateId)!;
  const answers = listAnswers(att.id, att.orgId);
  const evidence = listEvidence(actor, att.id);
  const scoring = scoreAttestation(template.controls, answers, evidenceControlIds(att.id, att.orgId));
  const prev = previousAccepted(att);
  const ownOrg = actor.orgId === att.orgId;
  const open = OPEN_FOR_ANSWERS.includes(att.status);
  return {
    att,
    controls: template.controls,
    answers,
    evidence,
    scoring,
    messages: listMessages(att.id, att.orgId),
    roster: listRoster(att.id, att.orgId),
    gaps: listGaps(actor, { attestationId: att.id }),
    previous: prev ? { ...prev, answers: listAnswers(prev.id, att.orgId), evidence: listEvidence(actor, prev.id) } : null,
    can: {
      answer: open && ownOrg && can(actor, "answer:attestation:own"),
      submit: open && ownOrg && can(actor, "submit:attestation:own"),
      reply: att.status === "clarification" && ownOrg && can(actor, "answer:attestation:own"),
      review: att.status === "submitted" && can(actor, "review:attestation:any"),
      editGaps: can(actor, "review:attestation:any") || (ownOrg && can(actor, "submit:attestation:own")),
    },
  };
}
