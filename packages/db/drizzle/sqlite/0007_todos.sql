CREATE TABLE `channel_todos` (
	`channel_id` text PRIMARY KEY NOT NULL,
	`items` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade
);
