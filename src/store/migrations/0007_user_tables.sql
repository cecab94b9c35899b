-- User tables (独自データ) get generated physical names: the rows of user table <id> live in
-- ut_<id>, its columns are c1, c2, … The name the user typed and the file's headers are
-- kept here as data and never become SQL identifiers. The existing user tables (whose
-- names were identifiers in the main schema) are moved by Rust code after this script
-- (store::user_tables::move_legacy), from user_tables_legacy, which it then drops.
CREATE TABLE user_tables_legacy AS SELECT * FROM user_tables;
DROP TABLE user_tables;

CREATE SEQUENCE user_table_id_seq START 1;
CREATE TABLE user_tables (
    table_id BIGINT PRIMARY KEY DEFAULT nextval('user_table_id_seq'),
    name VARCHAR NOT NULL UNIQUE,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    header_row INTEGER NOT NULL,
    key_column VARCHAR,
    link_to VARCHAR,
    rows BIGINT NOT NULL,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE user_tables IS '利用者が取り込んだ独自データの一覧（行は ut_<table_id> にある）';
COMMENT ON COLUMN user_tables.name IS '利用者が付けた名前（表示用、SQL の識別子にはしない）';

CREATE TABLE user_table_columns (
    table_id BIGINT NOT NULL,
    col_no INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    sql_type VARCHAR NOT NULL,
    PRIMARY KEY (table_id, col_no)
);
COMMENT ON TABLE user_table_columns IS '独自データの列: 見出し（表示用）と型。列の実体は ut_<table_id>.c<col_no>';
