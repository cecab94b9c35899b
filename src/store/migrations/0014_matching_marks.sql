-- Extraction, matching and marks (抽出・突合・属性編集).
-- 1. The recommendation list gains its kana name (カナ氏名), the key a match by kana and
--    birth date needs. Rebuilt so that import_id stays the last column.
CREATE TABLE recommendation_targets_v14 (
    insurer_no VARCHAR NOT NULL,
    symbol_no VARCHAR,
    insured_id VARCHAR,
    name VARCHAR,
    kana_name VARCHAR,
    birth_date DATE,
    address VARCHAR,
    category VARCHAR,
    list_date DATE NOT NULL,
    import_id BIGINT NOT NULL
);
INSERT INTO recommendation_targets_v14
    (insurer_no, symbol_no, insured_id, name, birth_date, address, category, list_date, import_id)
    SELECT insurer_no, symbol_no, insured_id, name, birth_date, address, category, list_date, import_id
    FROM recommendation_targets;
DROP TABLE recommendation_targets;
ALTER TABLE recommendation_targets_v14 RENAME TO recommendation_targets;
COMMENT ON TABLE recommendation_targets IS '特定健康診査受診勧奨対象者リスト';
COMMENT ON COLUMN recommendation_targets.insurer_no IS '保険者番号';
COMMENT ON COLUMN recommendation_targets.symbol_no IS '記号・番号';
COMMENT ON COLUMN recommendation_targets.insured_id IS '被保険者ID';
COMMENT ON COLUMN recommendation_targets.name IS '氏名';
COMMENT ON COLUMN recommendation_targets.kana_name IS 'カナ氏名';
COMMENT ON COLUMN recommendation_targets.birth_date IS '生年月日';
COMMENT ON COLUMN recommendation_targets.address IS '住所';
COMMENT ON COLUMN recommendation_targets.category IS '勧奨区分';
COMMENT ON COLUMN recommendation_targets.list_date IS '作成日';
COMMENT ON COLUMN recommendation_targets.import_id IS '取込ID';

-- 2. One mark per person (除外 or 勧奨対象) with its reason category and comment; every
--    change kept in insured_mark_history (who, when, old and new value). Keyed by the
--    insured id only, so a re-import of the register leaves them alone.
CREATE TABLE insured_marks_v14 (
    insured_id VARCHAR PRIMARY KEY,
    mark VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    note VARCHAR,
    set_by VARCHAR NOT NULL,
    set_at TIMESTAMP NOT NULL
);
INSERT INTO insured_marks_v14
    SELECT insured_id, arg_max(mark, set_at), 'other', arg_max(note, set_at), arg_max(set_by, set_at), max(set_at)
    FROM insured_marks GROUP BY insured_id;
DROP TABLE insured_marks;
ALTER TABLE insured_marks_v14 RENAME TO insured_marks;
COMMENT ON TABLE insured_marks IS '被保険者への印（excluded=除外, recommend=勧奨対象）と理由・備考';
COMMENT ON COLUMN insured_marks.reason IS '理由区分（hospital, facility, moving, elsewhere, refused, other）';
CREATE SEQUENCE insured_mark_history_seq START 1;
CREATE TABLE insured_mark_history (
    id BIGINT PRIMARY KEY DEFAULT nextval('insured_mark_history_seq'),
    insured_id VARCHAR NOT NULL,
    old_mark VARCHAR,
    old_reason VARCHAR,
    old_note VARCHAR,
    new_mark VARCHAR,
    new_reason VARCHAR,
    new_note VARCHAR,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE insured_mark_history IS '印の変更履歴（誰が・いつ・前の値・後の値）';

-- 3. Rows taken out of an extraction list, with the reason: shown in the 除外した行 tab.
CREATE TABLE extraction_excluded (
    extraction_id BIGINT NOT NULL,
    member_key VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    excluded_by VARCHAR NOT NULL,
    excluded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (extraction_id, member_key)
);
COMMENT ON TABLE extraction_excluded IS '抽出リストから除外した行と理由';
