CREATE TABLE `org_usage_daily` (
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`sources` integer NOT NULL,
	`family_sources` integer,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `org_usage_daily_day_idx` ON `org_usage_daily` (`day`);--> statement-breakpoint
ALTER TABLE `risk_snapshots` ADD `inputs` text;--> statement-breakpoint
ALTER TABLE `risk_snapshots` ADD `age_bins` text;--> statement-breakpoint
-- The scheduler rolls usage_daily_totals and org_usage_daily up together: forget the stored days so that its next run fills both.
DELETE FROM `usage_daily_totals`;