CREATE TABLE `detection_policy` (
	`id` integer PRIMARY KEY NOT NULL,
	`auto_suspend_critical` integer DEFAULT false NOT NULL,
	`updated_by_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `detection_rule_settings` (
	`rule` text PRIMARY KEY NOT NULL,
	`thresholds` text NOT NULL,
	`updated_by_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `detection_suppressions` (
	`id` text PRIMARY KEY NOT NULL,
	`rule` text NOT NULL,
	`credential_id` text,
	`src_ip` text,
	`reason` text NOT NULL,
	`flag_id` text,
	`created_by_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `detection_suppressions_rule_idx` ON `detection_suppressions` (`rule`,`expires_at`);--> statement-breakpoint
CREATE TABLE `flag_activity` (
	`id` text PRIMARY KEY NOT NULL,
	`flag_id` text NOT NULL,
	`kind` text NOT NULL,
	`actor_id` text,
	`actor_name` text,
	`body` text,
	`partner_visible` integer DEFAULT false NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `flag_activity_flag_idx` ON `flag_activity` (`flag_id`,`at`);--> statement-breakpoint
CREATE TABLE `flag_assignments` (
	`flag_id` text PRIMARY KEY NOT NULL,
	`assignee_id` text NOT NULL,
	`assigned_by_id` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `flag_assignments_assignee_idx` ON `flag_assignments` (`assignee_id`);