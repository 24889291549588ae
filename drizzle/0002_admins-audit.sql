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
