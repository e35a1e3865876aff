import type { AuthzArea } from "../../support/authz-table";
import { all, guarded, NO_ACTION_OBJ } from "../../support/authz-table";
import { acceptedAttestation, fillAttestation, requestFor } from "../../support/attestation-factory";
import { actorFor } from "../../support/factories";
import { listEvidence } from "~/models/evidence.server";
import { currentTemplate } from "~/models/attestation-template.server";

// The authorisation table's rows for the attestations routes (see tests/routes/authz-matrix.test.ts).
export const attestationsArea: AuthzArea = {
  entries: {
    "routes/attestations._index": {
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200 }),
      POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403 }), // the gating switch: vendor managers
    },
    "routes/attestations.new": {
      GET: guarded({ vm: 200, sec: 403, aud: 403, pa: 403, pm: 403 }),
      POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403 }),
    },
    // An open attestation of the partner: security and auditors read only; partner users answer, vendor managers review.
    "routes/attestations.$id": {
      object: "attestation",
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
      POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 400, pm: 400, other: 404 }),
    },
    // Upload: only the organisation's own users (an empty POST is not multipart: 400). GET explains where the form is.
    "routes/attestations.$id_.evidence": {
      object: "attestation",
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
      POST: guarded({ vm: 403, sec: 403, aud: 403, pa: 400, pm: 400, other: 404 }),
    },
    "routes/attestations.$id_.receipt": {
      object: "acceptedAttestation",
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
      POST: NO_ACTION_OBJ,
    },
    "routes/attestations_.evidence.$evidenceId": {
      object: "evidence",
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 200, pm: 200, other: 404 }),
      POST: NO_ACTION_OBJ,
    },
    "routes/attestations_.templates._index": {
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403 }),
      POST: guarded({ vm: 302, sec: 403, aud: 403, pa: 403, pm: 403 }), // opens (or creates) the draft
    },
    // Templates are global: a partner is refused by role (403), not hidden by tenancy.
    "routes/attestations_.templates.$id": {
      object: "template",
      GET: guarded({ vm: 200, sec: 200, aud: 200, pa: 403, pm: 403, other: 403 }),
      POST: guarded({ vm: 400, sec: 403, aud: 403, pa: 403, pm: 403, other: 403 }),
    },
    // Public: anyone holding a receipt can check it; an empty form is told to paste one.
    "routes/receipts.verify": { GET: all(200), POST: all(400) },
  },
  async seed(world) {
    const vm = actorFor(world.vm.id);
    const admin = actorFor(world.partnerAdmin.id);
    const open = requestFor(vm, world.partner.slug);
    await fillAttestation(admin, open.id);
    const evidence = listEvidence(admin, open.id)[0];
    // Accepted at the partner's contractor: the partner's users see it, another tenant does not.
    const accepted = await acceptedAttestation(vm, actorFor(world.contractorAdmin.id), world.contractor.slug);
    return { attestation: open.id, evidence: evidence.id, acceptedAttestation: accepted.id, template: currentTemplate().id };
  },
};
