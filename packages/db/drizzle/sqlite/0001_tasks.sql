CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`prefix` text NOT NULL,
	`secret_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_name_unique` ON `api_keys` (`name`);--> statement-breakpoint
CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`action` text NOT NULL,
	`detail` text,
	`status` text NOT NULL,
	`comment` text,
	`requested_at` text NOT NULL,
	`decided_at` text,
	`decided_by` text
);
--> statement-breakpoint
CREATE INDEX `approvals_task` ON `approvals` (`task_id`);--> statement-breakpoint
CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `task_events` (
	`offset` integer PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `task_events_task` ON `task_events` (`task_id`,`offset`);--> statement-breakpoint
CREATE TABLE `task_logs` (
	`task_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` text NOT NULL,
	`line` text NOT NULL,
	PRIMARY KEY(`task_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`title` text NOT NULL,
	`agent` text,
	`status` text NOT NULL,
	`input` text,
	`progress_current` integer DEFAULT 0 NOT NULL,
	`progress_total` integer,
	`progress_step` text,
	`error` text,
	`result` text,
	`created_by` text,
	`worker_id` text,
	`created_at` text NOT NULL,
	`started_at` text,
	`completed_at` text,
	`updated_at` text NOT NULL,
	`heartbeat_at` integer,
	`logs_dropped` integer DEFAULT 0 NOT NULL,
	`log_seq` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_seq_unique` ON `tasks` (`seq`);--> statement-breakpoint
CREATE INDEX `tasks_status_agent` ON `tasks` (`status`,`agent`,`seq`);--> statement-breakpoint
CREATE INDEX `tasks_completed` ON `tasks` (`completed_at`);