// Every rule of DESIGN.md "Detection rules" (plus unregistered_credential), in RULE_IDS order: the
// engine runs them all on each import.

import { rule as credentialSharing } from "./credential-sharing";
import { rule as dormantReactivated } from "./dormant-reactivated";
import { rule as errorBurst } from "./error-burst";
import { rule as ipProbe } from "./ip-probe";
import { rule as newSource } from "./new-source";
import { rule as outOfGrant } from "./out-of-grant";
import { rule as pathEnumeration } from "./path-enumeration";
import { rule as patternGuessing } from "./pattern-guessing";
import { rule as rateBurst } from "./rate-burst";
import { rule as reconThenUse } from "./recon-then-use";
import { rule as revokedCredentialUse } from "./revoked-credential-use";
import { rule as scannerUserAgent } from "./scanner-user-agent";
import { rule as secretInLogs } from "./secret-in-logs";
import type { RuleModule } from "./types";
import { rule as unknownModel } from "./unknown-model";
import { rule as unregisteredCredential } from "./unregistered-credential";
import { rule as unreleasedModel } from "./unreleased-model";

export const ALL_RULES: readonly RuleModule[] = [
  unreleasedModel,
  unknownModel,
  outOfGrant,
  revokedCredentialUse,
  errorBurst,
  ipProbe,
  pathEnumeration,
  patternGuessing,
  newSource,
  credentialSharing,
  scannerUserAgent,
  dormantReactivated,
  reconThenUse,
  rateBurst,
  secretInLogs,
  unregisteredCredential,
];
