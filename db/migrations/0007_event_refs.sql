-- Hand-edited data copy: the old UUID columns become integer references through event_refs.
CREATE TABLE `event_refs` (
	`ref` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`target_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `event_refs_target_uq` ON `event_refs` (`kind`,`target_id`);--> statement-breakpoint
-- Every credential has its reference from the moment it exists: imports only read them.
CREATE TRIGGER `credentials_event_ref` AFTER INSERT ON `credentials` BEGIN INSERT OR IGNORE INTO `event_refs` (`kind`, `target_id`) VALUES ('credential', NEW.`id`); END;--> statement-breakpoint
INSERT OR IGNORE INTO `event_refs` (`kind`, `target_id`) SELECT 'credential', `id` FROM `credentials`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_log_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`event_key` integer NOT NULL,
	`import_ref` integer NOT NULL,
	`ts` integer NOT NULL,
	`request_id` text,
	`key_ref` text,
	`credential_ref` integer,
	`src_ip` text,
	`asn` integer,
	`country` text,
	`user_agent` text,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`endpoint` text,
	`model` text,
	`status` integer NOT NULL,
	`gateway_error` text,
	`bytes` integer,
	`latency_ms` integer,
	`tokens_in` integer,
	`tokens_out` integer
);
--> statement-breakpoint
INSERT OR IGNORE INTO `event_refs` (`kind`, `target_id`) SELECT 'import', `import_id` FROM (SELECT DISTINCT `import_id` FROM `log_events`);--> statement-breakpoint
INSERT OR IGNORE INTO `event_refs` (`kind`, `target_id`) SELECT 'credential', `credential_id` FROM (SELECT DISTINCT `credential_id` FROM `log_events` WHERE `credential_id` IS NOT NULL);--> statement-breakpoint
INSERT INTO `__new_log_events`("id", "event_key", "import_ref", "ts", "request_id", "key_ref", "credential_ref", "src_ip", "asn", "country", "user_agent", "method", "path", "endpoint", "model", "status", "gateway_error", "bytes", "latency_ms", "tokens_in", "tokens_out") SELECT e."id", e."event_key", i."ref", e."ts", e."request_id", e."key_ref", c."ref", e."src_ip", e."asn", e."country", e."user_agent", e."method", e."path", e."endpoint", e."model", e."status", e."gateway_error", e."bytes", e."latency_ms", e."tokens_in", e."tokens_out" FROM `log_events` e JOIN `event_refs` i ON i."kind" = 'import' AND i."target_id" = e."import_id" LEFT JOIN `event_refs` c ON c."kind" = 'credential' AND c."target_id" = e."credential_id" ORDER BY e."id";--> statement-breakpoint
DROP TABLE `log_events`;--> statement-breakpoint
ALTER TABLE `__new_log_events` RENAME TO `log_events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `log_events_ts_key_uq` ON `log_events` (`ts`,`event_key`);--> statement-breakpoint
CREATE INDEX `log_events_credential_ts_idx` ON `log_events` (`credential_ref`,`ts`);