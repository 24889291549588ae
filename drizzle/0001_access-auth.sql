CREATE TABLE `acls` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`consumer_id` text,
	`group` text,
	`tags` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
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
CREATE UNIQUE INDEX `hmacauth_credentials_username_unique` ON `hmacauth_credentials` (`username`);