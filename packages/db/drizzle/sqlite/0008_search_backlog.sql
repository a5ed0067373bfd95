-- Sends no longer index their text in the transaction that stores them: FTS5 writes a new
-- segment for every transaction that touches it, seven of the fourteen pages a plain send
-- committed. The insert trigger now notes the row in messages_fts_pending, and the index takes
-- that backlog in batches (src/sqlite/search-backlog.ts), always before a search. A row still
-- waiting was never indexed: an edit leaves the index alone (the batch reads the new text) and a
-- delete only takes it off the list. After a VACUUM's 'rebuild', empty messages_fts_pending too.
CREATE TABLE `messages_fts_pending` (`rowid` integer PRIMARY KEY NOT NULL);
--> statement-breakpoint
DROP TRIGGER `messages_fts_insert`;
--> statement-breakpoint
DROP TRIGGER `messages_fts_delete`;
--> statement-breakpoint
DROP TRIGGER `messages_fts_update`;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_insert` AFTER INSERT ON `messages` BEGIN
  INSERT INTO `messages_fts_pending`(rowid) VALUES (new.rowid);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_delete` AFTER DELETE ON `messages` BEGIN
  INSERT INTO `messages_fts`(`messages_fts`, rowid, `content`)
    SELECT 'delete', old.rowid, old.`content`
    WHERE NOT EXISTS (SELECT 1 FROM `messages_fts_pending` WHERE rowid = old.rowid);
  DELETE FROM `messages_fts_pending` WHERE rowid = old.rowid;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_update` AFTER UPDATE OF `content` ON `messages`
  WHEN NOT EXISTS (SELECT 1 FROM `messages_fts_pending` WHERE rowid = old.rowid) BEGIN
  INSERT INTO `messages_fts`(`messages_fts`, rowid, `content`) VALUES ('delete', old.rowid, old.`content`);
  INSERT INTO `messages_fts`(rowid, `content`) VALUES (new.rowid, new.`content`);
END;
