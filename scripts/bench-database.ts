import { BENCH_CREDENTIALS, benchKeyId } from "./bench-traffic";

// The database the import benchmarks import into: the demo data plus one credential per key of the
// benchmark's traffic (bench-traffic.ts), all of them granted every GA model and endpoint. Seeds the
// database KEYWARD_DB names, which must be empty.
export async function seedBenchDatabase() {
  const { getDb } = await import("../db/client");
  const { organizations, credentials } = await import("../db/schema");
  const { seedDemo } = await import("../app/models/demo-seed.server");
  await seedDemo({ actor: null, ip: null });
  const db = getDb();
  const org = db.select({ id: organizations.id }).from(organizations).limit(1).get()!;
  db.transaction((tx) => {
    for (let k = 0; k < BENCH_CREDENTIALS; k++) {
      tx.insert(credentials)
        .values({ keyId: benchKeyId(k), orgId: org.id, label: `bench ${k}`, holderService: "bench", grantModels: ["@ga"], grantEndpoints: ["*"], environment: "production", storage: "secrets_manager", issuedAt: new Date("2026-10-01") })
        .run();
    }
  });
}
