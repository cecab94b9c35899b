-- A group can be suspended: it keeps its rights and members but grants nothing until it
-- is resumed (NULL, for groups made before this column, counts as not suspended).
ALTER TABLE user_groups ADD COLUMN suspended BOOLEAN DEFAULT false;
