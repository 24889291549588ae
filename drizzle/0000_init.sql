CREATE TABLE `consumers` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`username` text,
	`custom_id` text,
	`tags` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `consumers_username_unique` ON `consumers` (`username`);--> statement-breakpoint
CREATE UNIQUE INDEX `consumers_custom_id_unique` ON `consumers` (`custom_id`);--> statement-breakpoint
CREATE TABLE `postern_events` (
	`version` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`entity` text NOT NULL,
	`op` text NOT NULL,
	`entity_id` text NOT NULL,
	`payload` text,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `jwt_secrets` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`consumer_id` text,
	`key` text,
	`secret` text,
	`rsa_public_key` text,
	`algorithm` text,
	`jwks_uri` text,
	`tags` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jwt_secrets_key_unique` ON `jwt_secrets` (`key`);--> statement-breakpoint
CREATE TABLE `keyauth_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`consumer_id` text,
	`key` text,
	`tags` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `keyauth_credentials_key_unique` ON `keyauth_credentials` (`key`);--> statement-breakpoint
CREATE TABLE `oauth2_authorization_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`service_id` text,
	`credential_id` text,
	`code` text,
	`authenticated_userid` text,
	`scope` text,
	`challenge` text,
	`challenge_method` text,
	`plugin_id` text,
	`purge_at` integer,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`credential_id`) REFERENCES `oauth2_credentials`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`plugin_id`) REFERENCES `plugins`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oauth2_authorization_codes_code_unique` ON `oauth2_authorization_codes` (`code`);--> statement-breakpoint
CREATE TABLE `oauth2_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`consumer_id` text,
	`name` text,
	`client_id` text,
	`client_secret` text,
	`hash_secret` integer,
	`redirect_uris` text,
	`tags` text,
	`client_type` text,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oauth2_credentials_client_id_unique` ON `oauth2_credentials` (`client_id`);--> statement-breakpoint
CREATE TABLE `oauth2_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`service_id` text,
	`credential_id` text,
	`token_type` text,
	`expires_in` integer,
	`access_token` text,
	`refresh_token` text,
	`authenticated_userid` text,
	`scope` text,
	`purge_at` integer,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`credential_id`) REFERENCES `oauth2_credentials`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oauth2_tokens_access_token_unique` ON `oauth2_tokens` (`access_token`);--> statement-breakpoint
CREATE UNIQUE INDEX `oauth2_tokens_refresh_token_unique` ON `oauth2_tokens` (`refresh_token`);--> statement-breakpoint
CREATE TABLE `plugins` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`name` text,
	`instance_name` text,
	`route_id` text,
	`service_id` text,
	`consumer_id` text,
	`config` text,
	`protocols` text,
	`enabled` integer,
	`tags` text,
	FOREIGN KEY (`route_id`) REFERENCES `routes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`consumer_id`) REFERENCES `consumers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plugins_instance_name_unique` ON `plugins` (`instance_name`);--> statement-breakpoint
CREATE TABLE `routes` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`name` text,
	`protocols` text,
	`methods` text,
	`hosts` text,
	`paths` text,
	`headers` text,
	`snis` text,
	`sources` text,
	`destinations` text,
	`https_redirect_status_code` integer,
	`regex_priority` integer,
	`strip_path` integer,
	`path_handling` text,
	`preserve_host` integer,
	`request_buffering` integer,
	`response_buffering` integer,
	`tags` text,
	`service_id` text,
	FOREIGN KEY (`service_id`) REFERENCES `services`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `routes_name_unique` ON `routes` (`name`);--> statement-breakpoint
CREATE TABLE `services` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer,
	`updated_at` integer,
	`name` text,
	`retries` integer,
	`protocol` text,
	`host` text,
	`port` integer,
	`path` text,
	`connect_timeout` integer,
	`write_timeout` integer,
	`read_timeout` integer,
	`tags` text,
	`client_certificate` text,
	`tls_verify` integer,
	`tls_verify_depth` integer,
	`ca_certificates` text,
	`enabled` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `services_name_unique` ON `services` (`name`);