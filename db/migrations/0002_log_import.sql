CREATE TABLE `credential_daily_ips` (
	`credential_id` text NOT NULL,
	`day` text NOT NULL,
	`ip` text NOT NULL,
	PRIMARY KEY(`credential_id`, `day`, `ip`)
);
--> statement-breakpoint
CREATE TABLE `credential_usage_daily` (
	`credential_id` text NOT NULL,
	`day` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	PRIMARY KEY(`credential_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `log_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_key` integer NOT NULL,
	`import_id` text NOT NULL,
	`ts` integer NOT NULL,
	`request_id` text,
	`key_ref` text,
	`credential_id` text,
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
CREATE UNIQUE INDEX `log_events_ts_key_uq` ON `log_events` (`ts`,`event_key`);--> statement-breakpoint
CREATE INDEX `log_events_credential_ts_idx` ON `log_events` (`credential_id`,`ts`);--> statement-breakpoint
CREATE TABLE `log_import_keys` (
	`import_id` text NOT NULL,
	`key_ref` text NOT NULL,
	`credential_id` text,
	`events` integer NOT NULL,
	`successes` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`import_id`, `key_ref`),
	FOREIGN KEY (`import_id`) REFERENCES `log_imports`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `log_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`format` text NOT NULL,
	`via` text NOT NULL,
	`file_name` text,
	`sha256` text,
	`size_bytes` integer,
	`status` text DEFAULT 'queued' NOT NULL,
	`bytes_done` integer DEFAULT 0 NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`heartbeat_at` integer,
	`runner_pid` integer,
	`lines` integer DEFAULT 0 NOT NULL,
	`parsed` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`matched` integer DEFAULT 0 NOT NULL,
	`unmatched` integer DEFAULT 0 NOT NULL,
	`secrets_stripped` integer DEFAULT 0 NOT NULL,
	`flags_raised` integer DEFAULT 0 NOT NULL,
	`rejected_samples` text DEFAULT '[]' NOT NULL,
	`secret_fields` text DEFAULT '{}' NOT NULL,
	`first_event_at` integer,
	`last_event_at` integer,
	`error` text,
	`created_by_id` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `log_imports_started_idx` ON `log_imports` (`started_at`);--> statement-breakpoint
CREATE INDEX `log_imports_sha_idx` ON `log_imports` (`sha256`,`source`);