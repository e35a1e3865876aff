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
CREATE INDEX `credential_daily_ips_day_idx` ON `credential_daily_ips` (`day`,`ip`);--> statement-breakpoint
CREATE INDEX `credential_usage_daily_day_idx` ON `credential_usage_daily` (`day`);