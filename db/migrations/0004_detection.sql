CREATE TABLE `credential_baselines` (
	`credential_id` text PRIMARY KEY NOT NULL,
	`first_seen_at` integer,
	`last_used_at` integer,
	`known_ips` text DEFAULT '[]' NOT NULL,
	`known_prefixes` text DEFAULT '[]' NOT NULL,
	`models_used` text DEFAULT '[]' NOT NULL,
	`rate_per_minute_p99` real,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `flags` (
	`id` text PRIMARY KEY NOT NULL,
	`rule` text NOT NULL,
	`severity` text NOT NULL,
	`credential_id` text,
	`org_id` text,
	`src_ip` text,
	`key_ref` text,
	`subject_key` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`count` integer DEFAULT 1 NOT NULL,
	`summary` text NOT NULL,
	`evidence` text DEFAULT '[]' NOT NULL,
	`window_ms` integer NOT NULL,
	`import_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `flags_rule_subject_idx` ON `flags` (`rule`,`subject_key`,`last_seen`);--> statement-breakpoint
CREATE INDEX `flags_status_severity_idx` ON `flags` (`status`,`severity`,`last_seen`);--> statement-breakpoint
CREATE INDEX `flags_credential_idx` ON `flags` (`credential_id`,`last_seen`);--> statement-breakpoint
CREATE INDEX `flags_org_idx` ON `flags` (`org_id`,`last_seen`);