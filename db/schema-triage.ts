// The triage area's tables (see db/schema.ts for the conventions). Listed in db/client.ts's schema.
export {};
