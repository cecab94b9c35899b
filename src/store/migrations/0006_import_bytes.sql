-- The size of each imported file: a file whose size no earlier successful import had
-- cannot be a re-import, so its sha256 is computed while it is read, not in a pass before.
ALTER TABLE import_history ADD COLUMN file_bytes BIGINT;
COMMENT ON COLUMN import_history.file_bytes IS 'ファイルの大きさ（バイト）';
