CREATE TABLE `credential_rotations` (
	`id` text PRIMARY KEY NOT NULL,
	`credential_id` text NOT NULL,
	`old_key_id` text NOT NULL,
	`new_key_id` text NOT NULL,
	`old_fingerprint` text,
	`rotated_at` integer NOT NULL,
	`grace_ends_at` integer NOT NULL,
	`rotated_by_id` text,
	FOREIGN KEY (`credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rotated_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `credential_rotations_credential_idx` ON `credential_rotations` (`credential_id`,`rotated_at`);--> statement-breakpoint
CREATE INDEX `credential_rotations_old_key_idx` ON `credential_rotations` (`old_key_id`);--> statement-breakpoint
CREATE INDEX `credential_rotations_old_fp_idx` ON `credential_rotations` (`old_fingerprint`);--> statement-breakpoint
CREATE TABLE `credential_shares` (
	`credential_id` text NOT NULL,
	`org_id` text NOT NULL,
	PRIMARY KEY(`credential_id`, `org_id`),
	FOREIGN KEY (`credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `credential_shares_org_idx` ON `credential_shares` (`org_id`);--> statement-breakpoint
CREATE TABLE `credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`fingerprint` text,
	`org_id` text NOT NULL,
	`label` text NOT NULL,
	`holder_user_id` text,
	`holder_service` text,
	`grant_models` text NOT NULL,
	`grant_endpoints` text NOT NULL,
	`environment` text NOT NULL,
	`storage` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`status_reason` text,
	`issued_at` integer NOT NULL,
	`expires_at` integer,
	`last_rotated_at` integer,
	`last_used_at` integer,
	`last_used_ip` text,
	`last_used_user_agent` text,
	`last_reviewed_at` integer,
	`revoked_at` integer,
	`revoked_by_id` text,
	`revoked_reason` text,
	`created_by_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`holder_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revoked_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_key_id_uq` ON `credentials` (`key_id`);--> statement-breakpoint
CREATE INDEX `credentials_fingerprint_idx` ON `credentials` (`fingerprint`);--> statement-breakpoint
CREATE INDEX `credentials_org_status_idx` ON `credentials` (`org_id`,`status`);--> statement-breakpoint
CREATE INDEX `credentials_status_idx` ON `credentials` (`status`);--> statement-breakpoint
CREATE INDEX `credentials_last_used_idx` ON `credentials` (`last_used_at`);--> statement-breakpoint
CREATE INDEX `credentials_issued_idx` ON `credentials` (`issued_at`);--> statement-breakpoint
CREATE INDEX `credentials_holder_idx` ON `credentials` (`holder_user_id`);--> statement-breakpoint
CREATE TABLE `job_marks` (
	`key` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `org_entitlements` (
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`granted_by_id` text,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `kind`, `name`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`granted_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` text NOT NULL,
	`event` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`last_status` integer,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_webhook_idx` ON `outbox` (`webhook_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret` text NOT NULL,
	`org_id` text,
	`active` integer DEFAULT true NOT NULL,
	`created_by_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhooks_org_idx` ON `webhooks` (`org_id`);