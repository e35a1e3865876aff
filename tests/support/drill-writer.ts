import { getDb } from "../../db/client";
import { writeAudit } from "../../app/models/audit.server";

// A child process that keeps writing (one audit row per transaction, hash-chained) until killed:
// the load for the backup drill (tests/db/backup-drill.test.ts). Run with KEYWARD_DB set.
const db = getDb();
let i = 0;
for (;;) {
  db.transaction((tx) => writeAudit(tx, { actor: null, ip: null }, { action: "drill.write", targetType: "drill", targetId: String(i), details: { i } }));
  i++;
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
