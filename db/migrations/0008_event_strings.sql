-- Hand-edited: the strings of log_events move into event_strings (each stored once; a row holds their ids),
-- the rows into log_event_rows, and log_events becomes a view giving them back as text, so readers are
-- unchanged. Inserting into the view stores the strings (a trigger: seeds and tests; it adds only the
-- strings not there yet, so no conflict clause of the outer INSERT can replace or refuse a string that
-- other events use); the import writes log_event_rows directly (db/event-store.ts). The old table's rows are copied before it is dropped, and
-- its index names move to the new table once it is gone.
CREATE TABLE `event_strings` (
	`id` integer PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `event_strings_value_uq` ON `event_strings` (`value`);--> statement-breakpoint
CREATE TABLE `event_strings_epoch` (
	`id` integer PRIMARY KEY NOT NULL,
	`epoch` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `event_strings_epoch` (`id`, `epoch`) VALUES (1, 0);--> statement-breakpoint
CREATE TABLE `log_event_rows` (
	`id` integer PRIMARY KEY NOT NULL,
	`event_key` integer NOT NULL,
	`import_ref` integer NOT NULL,
	`ts` integer NOT NULL,
	`request_id` text,
	`key_ref` integer,
	`credential_ref` integer,
	`src_ip` integer,
	`asn` integer,
	`country` integer,
	`user_agent` integer,
	`method` integer NOT NULL,
	`path` integer NOT NULL,
	`endpoint` integer,
	`model` integer,
	`status` integer NOT NULL,
	`gateway_error` integer,
	`bytes` integer,
	`latency_ms` integer,
	`tokens_in` integer,
	`tokens_out` integer
);
--> statement-breakpoint
INSERT OR IGNORE INTO `event_strings` (`value`) SELECT `key_ref` FROM `log_events` WHERE `key_ref` IS NOT NULL UNION SELECT `src_ip` FROM `log_events` WHERE `src_ip` IS NOT NULL UNION SELECT `country` FROM `log_events` WHERE `country` IS NOT NULL UNION SELECT `user_agent` FROM `log_events` WHERE `user_agent` IS NOT NULL UNION SELECT `method` FROM `log_events` WHERE `method` IS NOT NULL UNION SELECT `path` FROM `log_events` WHERE `path` IS NOT NULL UNION SELECT `endpoint` FROM `log_events` WHERE `endpoint` IS NOT NULL UNION SELECT `model` FROM `log_events` WHERE `model` IS NOT NULL UNION SELECT `gateway_error` FROM `log_events` WHERE `gateway_error` IS NOT NULL;--> statement-breakpoint
INSERT INTO `log_event_rows` (`id`, `event_key`, `import_ref`, `ts`, `request_id`, `key_ref`, `credential_ref`, `src_ip`, `asn`, `country`, `user_agent`, `method`, `path`, `endpoint`, `model`, `status`, `gateway_error`, `bytes`, `latency_ms`, `tokens_in`, `tokens_out`) SELECT e.`id`, e.`event_key`, e.`import_ref`, e.`ts`, e.`request_id`, (SELECT `id` FROM `event_strings` WHERE `value` = e.`key_ref`), e.`credential_ref`, (SELECT `id` FROM `event_strings` WHERE `value` = e.`src_ip`), e.`asn`, (SELECT `id` FROM `event_strings` WHERE `value` = e.`country`), (SELECT `id` FROM `event_strings` WHERE `value` = e.`user_agent`), (SELECT `id` FROM `event_strings` WHERE `value` = e.`method`), (SELECT `id` FROM `event_strings` WHERE `value` = e.`path`), (SELECT `id` FROM `event_strings` WHERE `value` = e.`endpoint`), (SELECT `id` FROM `event_strings` WHERE `value` = e.`model`), e.`status`, (SELECT `id` FROM `event_strings` WHERE `value` = e.`gateway_error`), e.`bytes`, e.`latency_ms`, e.`tokens_in`, e.`tokens_out` FROM `log_events` e ORDER BY e.`id`;--> statement-breakpoint
DROP TABLE `log_events`;--> statement-breakpoint
CREATE UNIQUE INDEX `log_events_ts_key_uq` ON `log_event_rows` (`ts`,`event_key`);--> statement-breakpoint
CREATE INDEX `log_events_credential_ts_idx` ON `log_event_rows` (`credential_ref`,`ts`);--> statement-breakpoint
CREATE VIEW `log_events` AS SELECT e.`id`, e.`event_key`, e.`import_ref`, e.`ts`, e.`request_id`, k.`value` AS `key_ref`, e.`credential_ref`, ip.`value` AS `src_ip`, e.`asn`, co.`value` AS `country`, ua.`value` AS `user_agent`, m.`value` AS `method`, p.`value` AS `path`, ep.`value` AS `endpoint`, mo.`value` AS `model`, e.`status`, ge.`value` AS `gateway_error`, e.`bytes`, e.`latency_ms`, e.`tokens_in`, e.`tokens_out` FROM `log_event_rows` e LEFT JOIN `event_strings` k ON k.`id` = e.`key_ref` LEFT JOIN `event_strings` ip ON ip.`id` = e.`src_ip` LEFT JOIN `event_strings` co ON co.`id` = e.`country` LEFT JOIN `event_strings` ua ON ua.`id` = e.`user_agent` LEFT JOIN `event_strings` m ON m.`id` = e.`method` LEFT JOIN `event_strings` p ON p.`id` = e.`path` LEFT JOIN `event_strings` ep ON ep.`id` = e.`endpoint` LEFT JOIN `event_strings` mo ON mo.`id` = e.`model` LEFT JOIN `event_strings` ge ON ge.`id` = e.`gateway_error`;--> statement-breakpoint
CREATE TRIGGER `log_events_insert` INSTEAD OF INSERT ON `log_events` BEGIN INSERT INTO `event_strings` (`value`) SELECT DISTINCT v FROM (SELECT NEW.`key_ref` AS v UNION ALL SELECT NEW.`src_ip` AS v UNION ALL SELECT NEW.`country` AS v UNION ALL SELECT NEW.`user_agent` AS v UNION ALL SELECT NEW.`method` AS v UNION ALL SELECT NEW.`path` AS v UNION ALL SELECT NEW.`endpoint` AS v UNION ALL SELECT NEW.`model` AS v UNION ALL SELECT NEW.`gateway_error` AS v) WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `event_strings` s WHERE s.`value` = v); INSERT INTO `log_event_rows` (`id`, `event_key`, `import_ref`, `ts`, `request_id`, `key_ref`, `credential_ref`, `src_ip`, `asn`, `country`, `user_agent`, `method`, `path`, `endpoint`, `model`, `status`, `gateway_error`, `bytes`, `latency_ms`, `tokens_in`, `tokens_out`) VALUES (NEW.`id`, NEW.`event_key`, NEW.`import_ref`, NEW.`ts`, NEW.`request_id`, (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`key_ref`), NEW.`credential_ref`, (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`src_ip`), NEW.`asn`, (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`country`), (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`user_agent`), (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`method`), (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`path`), (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`endpoint`), (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`model`), NEW.`status`, (SELECT `id` FROM `event_strings` WHERE `value` = NEW.`gateway_error`), NEW.`bytes`, NEW.`latency_ms`, NEW.`tokens_in`, NEW.`tokens_out`); END;--> statement-breakpoint
CREATE TRIGGER `log_events_delete` INSTEAD OF DELETE ON `log_events` BEGIN DELETE FROM `log_event_rows` WHERE `id` = OLD.`id`; END;
