CREATE TABLE `recovery_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `recovery_codes_user_idx` ON `recovery_codes` (`user_id`);--> statement-breakpoint
CREATE TABLE `two_factors` (
	`user_id` text PRIMARY KEY NOT NULL,
	`secret` text NOT NULL,
	`enabled_at` integer,
	`last_step` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `attestation_answers` (
	`attestation_id` text NOT NULL,
	`org_id` text NOT NULL,
	`control_id` text NOT NULL,
	`value` text,
	`comment` text,
	`updated_by_id` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`attestation_id`, `control_id`),
	FOREIGN KEY (`attestation_id`) REFERENCES `attestations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`updated_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attestation_answers_org_idx` ON `attestation_answers` (`org_id`);--> statement-breakpoint
CREATE TABLE `attestation_evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`attestation_id` text NOT NULL,
	`org_id` text NOT NULL,
	`control_id` text,
	`sha256` text NOT NULL,
	`file_name` text NOT NULL,
	`media_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`effective_date` text NOT NULL,
	`expires_on` text,
	`uploaded_by_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`attestation_id`) REFERENCES `attestations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`uploaded_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attestation_evidence_att_idx` ON `attestation_evidence` (`attestation_id`,`control_id`);--> statement-breakpoint
CREATE INDEX `attestation_evidence_org_idx` ON `attestation_evidence` (`org_id`);--> statement-breakpoint
CREATE TABLE `attestation_gaps` (
	`id` text PRIMARY KEY NOT NULL,
	`attestation_id` text NOT NULL,
	`org_id` text NOT NULL,
	`control_id` text NOT NULL,
	`control_text` text NOT NULL,
	`answer` text NOT NULL,
	`owner` text NOT NULL,
	`due_date` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`closed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`attestation_id`) REFERENCES `attestations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attestation_gaps_att_control_uq` ON `attestation_gaps` (`attestation_id`,`control_id`);--> statement-breakpoint
CREATE INDEX `attestation_gaps_org_status_idx` ON `attestation_gaps` (`org_id`,`status`);--> statement-breakpoint
CREATE TABLE `attestation_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`attestation_id` text NOT NULL,
	`org_id` text NOT NULL,
	`control_id` text,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`author_id` text,
	`resolved_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`attestation_id`) REFERENCES `attestations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attestation_messages_att_idx` ON `attestation_messages` (`attestation_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `attestation_roster` (
	`attestation_id` text NOT NULL,
	`org_id` text NOT NULL,
	`credential_id` text NOT NULL,
	`key_id` text NOT NULL,
	`still_needed` integer,
	`holder` text,
	`storage` text,
	`confirmed_by_id` text,
	`confirmed_at` integer,
	PRIMARY KEY(`attestation_id`, `credential_id`),
	FOREIGN KEY (`attestation_id`) REFERENCES `attestations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`confirmed_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `attestation_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`controls` text NOT NULL,
	`published_at` integer,
	`published_by_id` text,
	`created_by_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`published_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `attestation_templates_version_uq` ON `attestation_templates` (`version`);--> statement-breakpoint
CREATE INDEX `attestation_templates_status_idx` ON `attestation_templates` (`status`,`version`);--> statement-breakpoint
CREATE TABLE `attestation_tier_policies` (
	`tier` text PRIMARY KEY NOT NULL,
	`enforce` integer NOT NULL,
	`updated_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `attestations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`template_id` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`due_date` text NOT NULL,
	`status` text DEFAULT 'requested' NOT NULL,
	`via` text DEFAULT 'manual' NOT NULL,
	`requested_by_id` text,
	`submitted_by_id` text,
	`submitted_at` integer,
	`statement_name` text,
	`statement_title` text,
	`statement_text` text,
	`reviewer_id` text,
	`reviewed_at` integer,
	`decision_notes` text,
	`answers_sha256` text,
	`score` integer,
	`receipt` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`template_id`) REFERENCES `attestation_templates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`submitted_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attestations_org_idx` ON `attestations` (`org_id`,`period_end`);--> statement-breakpoint
CREATE INDEX `attestations_status_due_idx` ON `attestations` (`status`,`due_date`);--> statement-breakpoint
CREATE TABLE `risk_snapshots` (
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`score` integer NOT NULL,
	`level` text NOT NULL,
	`attestation` text NOT NULL,
	`lines` text NOT NULL,
	`taken_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `risk_snapshots_day_idx` ON `risk_snapshots` (`day`,`attestation`,`org_id`);--> statement-breakpoint
CREATE TABLE `usage_daily_totals` (
	`day` text PRIMARY KEY NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`sources` integer NOT NULL,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
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
CREATE INDEX `flag_assignments_assignee_idx` ON `flag_assignments` (`assignee_id`);--> statement-breakpoint
CREATE INDEX `credential_daily_ips_day_idx` ON `credential_daily_ips` (`day`,`ip`);--> statement-breakpoint
CREATE INDEX `credential_usage_daily_day_idx` ON `credential_usage_daily` (`day`);