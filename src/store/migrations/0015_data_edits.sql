-- Data management in the GUI (データの検索・追加・削除).
-- 1. An import record is a file (the default) or a hand entry (手入力): rows added by hand
--    carry the id of a 'manual' record, and an import never replaces them.
ALTER TABLE import_history ADD COLUMN source VARCHAR DEFAULT 'file';
UPDATE import_history SET source = 'file' WHERE source IS NULL;
COMMENT ON COLUMN import_history.source IS '取込の種類（file=ファイル、manual=手入力）';

-- 2. Every hand change of a data row: added, edited or deleted, with the row's import, the
--    values before and after (JSON: column → value), who and when. A later import that
--    replaces an edited row leaves this history as it was, so both stay visible.
CREATE SEQUENCE data_edit_seq START 1;
CREATE TABLE data_edits (
    id BIGINT PRIMARY KEY DEFAULT nextval('data_edit_seq'),
    table_name VARCHAR NOT NULL,
    op VARCHAR NOT NULL,
    import_id BIGINT,
    old_values VARCHAR,
    new_values VARCHAR,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE data_edits IS 'データの手による追加・修正・削除の履歴';
COMMENT ON COLUMN data_edits.op IS 'add=追加, edit=修正, delete=削除';
