-- A delivery keeps the HTTP status and a reason code; the receiver's
-- answer text (`last_error`, which held the first 200 characters of
-- a webhook's reply) is no longer written, and what it held is wiped.
ALTER TABLE deliveries ADD COLUMN http_status BIGINT;
ALTER TABLE deliveries ADD COLUMN reason TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET last_error = '';
