CREATE TABLE `acls` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`consumer_id` text,
	`group` text,
	`tags` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `admins` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`username` text,
	`role` text,
	`token` text,
	`tags` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `admins_username_unique` ON `admins` (`username`);--> statement-breakpoint
CREATE UNIQUE INDEX `admins_token_unique` ON `admins` (`token`);--> statement-breakpoint
CREATE TABLE `audit_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`request_timestamp` integer,
	`request_id` text,
	`client_ip` text,
	`rbac_user_name` text,
	`method` text,
	`path` text,
	`status` integer,
	`entity` text,
	`entity_id` text,
	`before` text,
	`after` text,
	`expire_at` integer
);
--> statement-breakpoint
CREATE TABLE `basicauth_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`consumer_id` text,
	`username` text,
	`password` text,
	`tags` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `basicauth_credentials_username_unique` ON `basicauth_credentials` (`username`);--> statement-breakpoint
CREATE TABLE `ca_certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`cert` text,
	`cert_digest` text,
	`tags` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ca_certificates_cert_digest_unique` ON `ca_certificates` (`cert_digest`);--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`cert` text,
	`key` text,
	`cert_alt` text,
	`key_alt` text,
	`tags` text
);
--> statement-breakpoint
CREATE TABLE `hmacauth_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`consumer_id` text,
	`username` text,
	`secret` text,
	`tags` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hmacauth_credentials_username_unique` ON `hmacauth_credentials` (`username`);--> statement-breakpoint
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
--> statement-breakpoint
CREATE TABLE `snis` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`created_at` integer,
	`updated_at` integer,
	`tags` text,
	`certificate_id` text,
	FOREIGN KEY (`certificate_id`) REFERENCES `certificates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `snis_name_unique` ON `snis` (`name`);--> statement-breakpoint
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
	`client_certificate_id` text,
	`use_srv_name` integer,
	FOREIGN KEY (`client_certificate_id`) REFERENCES `certificates`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `upstreams_name_unique` ON `upstreams` (`name`);--> statement-breakpoint
ALTER TABLE `services` ADD `client_certificate_id` text REFERENCES certificates(id);--> statement-breakpoint
ALTER TABLE `services` DROP COLUMN `client_certificate`;