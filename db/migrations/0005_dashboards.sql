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
CREATE INDEX `risk_snapshots_day_idx` ON `risk_snapshots` (`day`);