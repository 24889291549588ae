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
ALTER TABLE `services` ADD `client_certificate_id` text REFERENCES certificates(id);--> statement-breakpoint
ALTER TABLE `services` DROP COLUMN `client_certificate`;