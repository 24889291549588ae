CREATE TABLE "acls" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"consumer_id" text,
	"group" text,
	"tags" json
);
--> statement-breakpoint
CREATE TABLE "admins" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"username" text,
	"role" text,
	"token" text,
	"tags" json,
	CONSTRAINT "admins_username_unique" UNIQUE("username"),
	CONSTRAINT "admins_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "audit_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"request_timestamp" bigint,
	"request_id" text,
	"client_ip" text,
	"rbac_user_name" text,
	"method" text,
	"path" text,
	"status" bigint,
	"entity" text,
	"entity_id" text,
	"before" json,
	"after" json,
	"expire_at" bigint
);
--> statement-breakpoint
CREATE TABLE "basicauth_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"consumer_id" text,
	"username" text,
	"password" text,
	"tags" json,
	CONSTRAINT "basicauth_credentials_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "ca_certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"cert" text,
	"cert_digest" text,
	"tags" json,
	CONSTRAINT "ca_certificates_cert_digest_unique" UNIQUE("cert_digest")
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"cert" text,
	"key" text,
	"cert_alt" text,
	"key_alt" text,
	"tags" json
);
--> statement-breakpoint
CREATE TABLE "consumers" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"username" text,
	"custom_id" text,
	"tags" json,
	CONSTRAINT "consumers_username_unique" UNIQUE("username"),
	CONSTRAINT "consumers_custom_id_unique" UNIQUE("custom_id")
);
--> statement-breakpoint
CREATE TABLE "postern_events" (
	"version" bigint PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"op" text NOT NULL,
	"entity_id" text NOT NULL,
	"payload" json,
	"hash" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "postern_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hmacauth_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"consumer_id" text,
	"username" text,
	"secret" text,
	"tags" json,
	CONSTRAINT "hmacauth_credentials_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "jwt_secrets" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"consumer_id" text,
	"key" text,
	"secret" text,
	"rsa_public_key" text,
	"algorithm" text,
	"jwks_uri" text,
	"tags" json,
	CONSTRAINT "jwt_secrets_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "keyauth_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"consumer_id" text,
	"key" text,
	"tags" json,
	CONSTRAINT "keyauth_credentials_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "oauth2_authorization_codes" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"service_id" text,
	"credential_id" text,
	"code" text,
	"authenticated_userid" text,
	"scope" text,
	"challenge" text,
	"challenge_method" text,
	"plugin_id" text,
	"purge_at" bigint,
	CONSTRAINT "oauth2_authorization_codes_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "oauth2_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"consumer_id" text,
	"name" text,
	"client_id" text,
	"client_secret" text,
	"hash_secret" boolean,
	"redirect_uris" json,
	"tags" json,
	"client_type" text,
	CONSTRAINT "oauth2_credentials_client_id_unique" UNIQUE("client_id")
);
--> statement-breakpoint
CREATE TABLE "oauth2_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"service_id" text,
	"credential_id" text,
	"token_type" text,
	"expires_in" bigint,
	"access_token" text,
	"refresh_token" text,
	"authenticated_userid" text,
	"scope" text,
	"purge_at" bigint,
	CONSTRAINT "oauth2_tokens_access_token_unique" UNIQUE("access_token"),
	CONSTRAINT "oauth2_tokens_refresh_token_unique" UNIQUE("refresh_token")
);
--> statement-breakpoint
CREATE TABLE "plugins" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"name" text,
	"instance_name" text,
	"route_id" text,
	"service_id" text,
	"consumer_id" text,
	"config" json,
	"protocols" json,
	"enabled" boolean,
	"tags" json,
	CONSTRAINT "plugins_instance_name_unique" UNIQUE("instance_name")
);
--> statement-breakpoint
CREATE TABLE "ratelimiting_metrics" (
	"identifier" text,
	"period" text,
	"period_date" bigint,
	"service_id" text,
	"route_id" text,
	"value" bigint,
	"purge_at" bigint,
	CONSTRAINT "ratelimiting_metrics_identifier_period_period_date_service_id_route_id_pk" PRIMARY KEY("identifier","period","period_date","service_id","route_id")
);
--> statement-breakpoint
CREATE TABLE "routes" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"name" text,
	"protocols" json,
	"methods" json,
	"hosts" json,
	"paths" json,
	"headers" json,
	"snis" json,
	"sources" json,
	"destinations" json,
	"https_redirect_status_code" bigint,
	"regex_priority" bigint,
	"strip_path" boolean,
	"path_handling" text,
	"preserve_host" boolean,
	"request_buffering" boolean,
	"response_buffering" boolean,
	"tags" json,
	"service_id" text,
	CONSTRAINT "routes_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"name" text,
	"retries" bigint,
	"protocol" text,
	"host" text,
	"port" bigint,
	"path" text,
	"connect_timeout" bigint,
	"write_timeout" bigint,
	"read_timeout" bigint,
	"tags" json,
	"client_certificate_id" text,
	"tls_verify" boolean,
	"tls_verify_depth" bigint,
	"ca_certificates" json,
	"enabled" boolean,
	CONSTRAINT "services_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "snis" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"created_at" bigint,
	"updated_at" bigint,
	"tags" json,
	"certificate_id" text,
	CONSTRAINT "snis_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "targets" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"upstream_id" text,
	"target" text,
	"weight" bigint,
	"tags" json
);
--> statement-breakpoint
CREATE TABLE "upstreams" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" bigint,
	"updated_at" bigint,
	"name" text,
	"algorithm" text,
	"hash_on" text,
	"hash_fallback" text,
	"hash_on_header" text,
	"hash_fallback_header" text,
	"hash_on_cookie" text,
	"hash_on_cookie_path" text,
	"hash_on_query_arg" text,
	"hash_fallback_query_arg" text,
	"hash_on_uri_capture" text,
	"hash_fallback_uri_capture" text,
	"slots" bigint,
	"healthchecks" json,
	"tags" json,
	"host_header" text,
	"client_certificate_id" text,
	"use_srv_name" boolean,
	CONSTRAINT "upstreams_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "acls" ADD CONSTRAINT "acls_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "basicauth_credentials" ADD CONSTRAINT "basicauth_credentials_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hmacauth_credentials" ADD CONSTRAINT "hmacauth_credentials_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jwt_secrets" ADD CONSTRAINT "jwt_secrets_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyauth_credentials" ADD CONSTRAINT "keyauth_credentials_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth2_authorization_codes" ADD CONSTRAINT "oauth2_authorization_codes_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth2_authorization_codes" ADD CONSTRAINT "oauth2_authorization_codes_credential_id_oauth2_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."oauth2_credentials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth2_authorization_codes" ADD CONSTRAINT "oauth2_authorization_codes_plugin_id_plugins_id_fk" FOREIGN KEY ("plugin_id") REFERENCES "public"."plugins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth2_credentials" ADD CONSTRAINT "oauth2_credentials_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth2_tokens" ADD CONSTRAINT "oauth2_tokens_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth2_tokens" ADD CONSTRAINT "oauth2_tokens_credential_id_oauth2_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."oauth2_credentials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugins" ADD CONSTRAINT "plugins_route_id_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "public"."routes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugins" ADD CONSTRAINT "plugins_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugins" ADD CONSTRAINT "plugins_consumer_id_consumers_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."consumers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routes" ADD CONSTRAINT "routes_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_client_certificate_id_certificates_id_fk" FOREIGN KEY ("client_certificate_id") REFERENCES "public"."certificates"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snis" ADD CONSTRAINT "snis_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_upstream_id_upstreams_id_fk" FOREIGN KEY ("upstream_id") REFERENCES "public"."upstreams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upstreams" ADD CONSTRAINT "upstreams_client_certificate_id_certificates_id_fk" FOREIGN KEY ("client_certificate_id") REFERENCES "public"."certificates"("id") ON DELETE restrict ON UPDATE no action;