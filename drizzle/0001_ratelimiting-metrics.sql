CREATE TABLE `ratelimiting_metrics` (
	`identifier` text,
	`period` text,
	`period_date` integer,
	`service_id` text,
	`route_id` text,
	`value` integer,
	`purge_at` integer,
	PRIMARY KEY(`identifier`, `period`, `period_date`, `service_id`, `route_id`)
);
