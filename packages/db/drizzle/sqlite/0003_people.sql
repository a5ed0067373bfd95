CREATE TABLE `channel_mutes` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`)
);
--> statement-breakpoint
CREATE TABLE `mentions` (
	`user_id` text NOT NULL,
	`message_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`user_id`, `message_id`)
);
--> statement-breakpoint
CREATE INDEX `mentions_user_channel` ON `mentions` (`user_id`,`channel_id`,`seq`);--> statement-breakpoint
CREATE INDEX `mentions_message` ON `mentions` (`message_id`);--> statement-breakpoint
CREATE TABLE `notification_settings` (
	`user_id` text PRIMARY KEY NOT NULL,
	`level` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `push_subscriptions` (
	`endpoint` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `push_subscriptions_user` ON `push_subscriptions` (`user_id`);--> statement-breakpoint
CREATE TABLE `read_positions` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`seq` integer NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`)
);
--> statement-breakpoint
CREATE TABLE `user_events` (
	`user_id` text NOT NULL,
	`offset` integer NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `offset`)
);
--> statement-breakpoint
ALTER TABLE `channels` ADD `kind` text DEFAULT 'channel' NOT NULL;--> statement-breakpoint
ALTER TABLE `channels` ADD `dm_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `channels_dm_key_unique` ON `channels` (`dm_key`);--> statement-breakpoint
ALTER TABLE `users` ADD `last_event_offset` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Members before read positions existed start with nothing unread.
INSERT INTO `read_positions` (`user_id`, `channel_id`, `seq`, `updated_at`) SELECT m.`user_id`, m.`channel_id`, c.`last_offset`, m.`joined_at` FROM `channel_members` m JOIN `channels` c ON c.`id` = m.`channel_id`;
