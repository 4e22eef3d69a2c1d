-- A user's position (职务, e.g. 值班员, 副局长), shown beside the display
-- name wherever the platform names who did something (issue #19: people,
-- not logins).
ALTER TABLE users ADD COLUMN position TEXT NOT NULL DEFAULT '';
