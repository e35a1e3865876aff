CREATE TABLE `campaign_items` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`credential_id` text NOT NULL,
	`org_id` text NOT NULL,
	`snapshot` text NOT NULL,
	`facts_digest` text NOT NULL,
	`unused` integer DEFAULT false NOT NULL,
	`rotation_overdue` integer DEFAULT false NOT NULL,
	`shared` integer DEFAULT false NOT NULL,
	`flagged` integer DEFAULT false NOT NULL,
	`reviewer_id` text,
	`decision` text,
	`comment` text,
	`narrowed_to` text,
	`decided_by_id` text,
	`decided_at` integer,
	`outcome` text,
	`escalated_at` integer,
	`first_pass_decision` text,
	`first_pass_comment` text,
	`first_pass_by_id` text,
	`first_pass_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`first_pass_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaign_items_campaign_org_idx` ON `campaign_items` (`campaign_id`,`org_id`);--> statement-breakpoint
CREATE INDEX `campaign_items_reviewer_idx` ON `campaign_items` (`reviewer_id`,`campaign_id`);--> statement-breakpoint
CREATE INDEX `campaign_items_credential_idx` ON `campaign_items` (`credential_id`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`series_id` text NOT NULL,
	`sequence` integer DEFAULT 1 NOT NULL,
	`scope_org_ids` text DEFAULT '[]' NOT NULL,
	`scope_tiers` text DEFAULT '[]' NOT NULL,
	`scope_models` text DEFAULT '[]' NOT NULL,
	`reviewer_id` text,
	`first_pass` integer DEFAULT false NOT NULL,
	`mode` text DEFAULT 'full' NOT NULL,
	`undecided_rule` text DEFAULT 'keep' NOT NULL,
	`opens_on` text NOT NULL,
	`due_on` text NOT NULL,
	`recurrence_days` integer,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`owner_id` text NOT NULL,
	`opened_at` integer,
	`closed_at` integer,
	`closed_by_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaigns_status_due_idx` ON `campaigns` (`status`,`due_on`);--> statement-breakpoint
CREATE INDEX `campaigns_series_idx` ON `campaigns` (`series_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `campaigns_created_idx` ON `campaigns` (`created_at`);--> statement-breakpoint
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