import { getEnv } from "./env.server";
import { signToken, verifyToken } from "./jwt.server";
import { INVITATION_AUDIENCE } from "~/models/invitation.server";

/** The signed single-use link for an invitation: a jose JWT (ES256) naming the invitation and the user. */
export async function invitationLink(invitation: { invitationId: string; userId: string; expiresAt: Date }, baseUrl = getEnv().baseUrl) {
  const token = await signToken({}, { audience: INVITATION_AUDIENCE, subject: invitation.userId, jti: invitation.invitationId, expiresAt: invitation.expiresAt });
  return `${baseUrl}/invite/${token}`;
}

/** The invitation a link names, if its signature, issuer, audience and expiry check out. */
export async function readInvitationToken(token: string): Promise<{ invitationId: string; userId: string } | null> {
  const payload = await verifyToken(token, INVITATION_AUDIENCE);
  if (!payload?.jti || !payload.sub) return null;
  return { invitationId: payload.jti, userId: payload.sub };
}
