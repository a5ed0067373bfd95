CREATE TABLE `agents` (
	`user_id` text PRIMARY KEY NOT NULL,
	`instructions` text NOT NULL,
	`model` text,
	`tools` text NOT NULL,
	`approval` text NOT NULL,
	`avatar` text,
	`created_by` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text,
	`uploader_id` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`has_thumbnail` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploader_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attachments_message` ON `attachments` (`message_id`);--> statement-breakpoint
CREATE INDEX `attachments_uploader` ON `attachments` (`uploader_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `messages` ADD `thread_id` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `also_in_channel` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `reply_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `last_reply_at` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `repliers` text;--> statement-breakpoint
CREATE INDEX `messages_thread` ON `messages` (`thread_id`,`seq`);