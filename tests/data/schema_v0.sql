-- The schema as bot/storage.py made it before the migration log existed (commit 5ef4096),
-- captured with sqlite3's .schema on a database that code opened. tests/test_migrations.py
-- builds "an existing production database" from it and checks that migration 1 both adopts
-- such a database without losing rows and creates exactly this schema on a fresh one.
-- Do not edit: it is a record of the past, not the current schema.
CREATE TABLE IF NOT EXISTS "registrations" (
   "id" TEXT PRIMARY KEY,
   "user_id" TEXT NOT NULL,
   "event_id" TEXT NOT NULL,
   "name" TEXT NOT NULL,
   "company" TEXT NOT NULL,
   "email" TEXT NOT NULL,
   "phone" TEXT NOT NULL,
   "attendees" INTEGER NOT NULL,
   "lang" TEXT,
   "created_at" TEXT NOT NULL,
   "cancelled_at" TEXT
);
CREATE INDEX "idx_registrations_event_id"
    ON "registrations" ("event_id");
CREATE INDEX "idx_registrations_user_id"
    ON "registrations" ("user_id");
CREATE TABLE IF NOT EXISTS "subscriptions" (
   "user_id" TEXT PRIMARY KEY,
   "lang" TEXT NOT NULL,
   "created_at" TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS "sessions" (
   "user_id" TEXT PRIMARY KEY,
   "data" TEXT NOT NULL,
   "updated_at" TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS "daily_notices" (
   "user_id" TEXT NOT NULL,
   "kind" TEXT NOT NULL,
   "day" TEXT NOT NULL,
   "created_at" TEXT NOT NULL,
   PRIMARY KEY ("user_id", "kind", "day")
);
CREATE TABLE tickets ( id integer primary key autoincrement, user_id text not null, chat_id integer not null, lang text not null, company text not null, case_json text not null, status text not null check (status in ('open', 'closed')), thread_id integer, summary_message_id integer, created_at text not null, closed_at text, closed_by text, rating integer check (rating between 1 and 5), rated_at text, user_blocked integer not null default 0);
-- CREATE TABLE sqlite_sequence(name,seq);  (SQLite makes it itself, for AUTOINCREMENT)
CREATE INDEX "idx_tickets_user_id"
    ON "tickets" ("user_id");
CREATE INDEX "idx_tickets_thread_id"
    ON "tickets" ("thread_id");
CREATE INDEX "idx_tickets_summary_message_id"
    ON "tickets" ("summary_message_id");
CREATE UNIQUE INDEX tickets_one_open_per_user on tickets (user_id) where status = 'open';
CREATE TABLE IF NOT EXISTS "relays" (
   "id" INTEGER PRIMARY KEY,
   "ticket_id" INTEGER NOT NULL,
   "direction" TEXT NOT NULL,
   "from_chat_id" INTEGER NOT NULL,
   "from_message_id" INTEGER NOT NULL,
   "to_chat_id" INTEGER NOT NULL,
   "to_message_id" INTEGER NOT NULL,
   "created_at" TEXT NOT NULL
);
CREATE INDEX "idx_relays_ticket_id"
    ON "relays" ("ticket_id");
CREATE INDEX "idx_relays_to_message_id"
    ON "relays" ("to_message_id");
CREATE INDEX "idx_relays_from_message_id"
    ON "relays" ("from_message_id");
CREATE TABLE IF NOT EXISTS "feedback" (
   "user_id" TEXT NOT NULL,
   "faq_id" TEXT NOT NULL,
   "vote" INTEGER NOT NULL,
   "lang" TEXT NOT NULL,
   "created_at" TEXT NOT NULL,
   PRIMARY KEY ("user_id", "faq_id")
);
CREATE INDEX "idx_feedback_faq_id"
    ON "feedback" ("faq_id");
CREATE TABLE IF NOT EXISTS "enquiries" (
   "id" INTEGER PRIMARY KEY,
   "lang" TEXT NOT NULL,
   "matched" INTEGER NOT NULL,
   "faq_id" TEXT,
   "score" REAL NOT NULL,
   "created_at" TEXT NOT NULL
);
CREATE INDEX "idx_enquiries_created_at"
    ON "enquiries" ("created_at");
CREATE TABLE misses ( id integer primary key autoincrement, user_id text not null, question text not null, lang text not null, score real not null, candidates text not null, created_at text not null, "staff_message_id" INTEGER);
CREATE INDEX "idx_misses_user_id"
    ON "misses" ("user_id");
CREATE TABLE IF NOT EXISTS "staff_places" (
   "place" TEXT NOT NULL,
   "chat_id" INTEGER NOT NULL,
   "thread_id" INTEGER NOT NULL,
   "updated_at" TEXT NOT NULL,
   PRIMARY KEY ("place", "chat_id")
);
CREATE TABLE suggestions ( id integer primary key autoincrement, miss_id integer, faq_id text not null, question text not null, lang text not null, staff_user_id integer not null, status text not null check (status in ('pending', 'accepted', 'rejected')), created_at text not null, resolved_at text);
CREATE INDEX "idx_suggestions_miss_id"
    ON "suggestions" ("miss_id");
CREATE INDEX "idx_suggestions_faq_id"
    ON "suggestions" ("faq_id");
