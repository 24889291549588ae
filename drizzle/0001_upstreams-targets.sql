CREATE TABLE `targets` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`upstream_id` text,
	`target` text,
	`weight` integer,
	`tags` text,
	FOREIGN KEY (`upstream_id`) REFERENCES `upstreams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `upstreams` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`name` text,
	`algorithm` text,
	`hash_on` text,
	`hash_fallback` text,
	`hash_on_header` text,
	`hash_fallback_header` text,
	`hash_on_cookie` text,
	`hash_on_cookie_path` text,
	`hash_on_query_arg` text,
	`hash_fallback_query_arg` text,
	`hash_on_uri_capture` text,
	`hash_fallback_uri_capture` text,
	`slots` integer,
	`healthchecks` text,
	`tags` text,
	`host_header` text,
	`client_certificate` text,
	`use_srv_name` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `upstreams_name_unique` ON `upstreams` (`name`);