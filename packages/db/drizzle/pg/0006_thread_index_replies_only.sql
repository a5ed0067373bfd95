DROP INDEX "messages_thread";--> statement-breakpoint
CREATE INDEX "messages_thread" ON "messages" USING btree ("thread_id","seq") WHERE "messages"."thread_id" is not null;