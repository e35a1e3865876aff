import fs from "node:fs";
import path from "node:path";
import { afterAll, inject } from "vitest";
import "./global-setup";
import { closeDb } from "../../db/client";
import { resetEnvCache } from "../../app/env.server";
import { resetKeyCache } from "../../app/jwt.server";

// Each test file gets its own copy of the migrated template and its own data folder.
const TMP = inject("keywardTestTmp");
const dir = fs.mkdtempSync(path.join(TMP, `w${process.env.VITEST_POOL_ID ?? "0"}-`));
fs.copyFileSync(path.join(TMP, "template.db"), path.join(dir, "keyward.db"));
process.env.KEYWARD_DB = path.join(dir, "keyward.db");
process.env.KEYWARD_DATA = path.join(dir, "data");
process.env.NODE_ENV = "test";
closeDb();
resetEnvCache();
resetKeyCache();

afterAll(() => {
  closeDb();
  fs.rmSync(dir, { recursive: true, force: true });
});
