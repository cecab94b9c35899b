-- Extraction lists (検索結果の抽出): a search's result kept under a name as it was found
-- (the member keys at that moment, a snapshot that later imports do not change), with the
-- query, the fiscal year, who made it and when.
CREATE SEQUENCE extraction_id_seq START 1;
CREATE TABLE extractions (
    id BIGINT PRIMARY KEY DEFAULT nextval('extraction_id_seq'),
    name VARCHAR NOT NULL UNIQUE,
    subject VARCHAR NOT NULL,
    fy INTEGER,
    query VARCHAR,
    made_by VARCHAR NOT NULL,
    made_at TIMESTAMP NOT NULL,
    origin VARCHAR NOT NULL
);
COMMENT ON TABLE extractions IS '抽出リスト（検索結果のその時点の写し）';
COMMENT ON COLUMN extractions.origin IS '作り方（検索、または A∩B などの組合せ）';
CREATE TABLE extraction_members (
    extraction_id BIGINT NOT NULL,
    member_key VARCHAR NOT NULL,
    PRIMARY KEY (extraction_id, member_key)
);
COMMENT ON TABLE extraction_members IS '抽出リストの構成（キーのみ。被保険者ID・機関コード）';
