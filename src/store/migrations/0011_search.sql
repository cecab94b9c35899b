-- Search (検索): the checkup institution master gains its test items (検査項目), and the
-- tables search reads or keeps: saved searches per user, the ICD-10 groups a disease
-- condition names, and the marks set on insured persons (除外, 勧奨対象).
-- The master is rebuilt so that import_id stays its last column (the importer appends
-- in the order of store::kinds).
CREATE TABLE checkup_institutions_v11 (
    code VARCHAR NOT NULL,
    name VARCHAR,
    does_checkup BOOLEAN NOT NULL,
    does_cancer_screening BOOLEAN,
    cancer_stomach BOOLEAN,
    cancer_lung BOOLEAN,
    cancer_colon BOOLEAN,
    cancer_breast BOOLEAN,
    cancer_cervix BOOLEAN,
    dock BOOLEAN,
    ecg BOOLEAN,
    fundus BOOLEAN,
    anemia BOOLEAN,
    creatinine BOOLEAN,
    import_id BIGINT NOT NULL
);
INSERT INTO checkup_institutions_v11 (code, name, does_checkup, does_cancer_screening, import_id)
    SELECT code, name, does_checkup, does_cancer_screening, import_id FROM checkup_institutions;
DROP TABLE checkup_institutions;
ALTER TABLE checkup_institutions_v11 RENAME TO checkup_institutions;
COMMENT ON TABLE checkup_institutions IS '健診機関マスタ';
COMMENT ON COLUMN checkup_institutions.code IS '健診機関コード';
COMMENT ON COLUMN checkup_institutions.name IS '健診機関名';
COMMENT ON COLUMN checkup_institutions.does_checkup IS '特定健診実施';
COMMENT ON COLUMN checkup_institutions.does_cancer_screening IS 'がん検診実施';
COMMENT ON COLUMN checkup_institutions.cancer_stomach IS '胃がん検診';
COMMENT ON COLUMN checkup_institutions.cancer_lung IS '肺がん検診';
COMMENT ON COLUMN checkup_institutions.cancer_colon IS '大腸がん検診';
COMMENT ON COLUMN checkup_institutions.cancer_breast IS '乳がん検診';
COMMENT ON COLUMN checkup_institutions.cancer_cervix IS '子宮がん検診';
COMMENT ON COLUMN checkup_institutions.dock IS '人間ドック';
COMMENT ON COLUMN checkup_institutions.ecg IS '心電図';
COMMENT ON COLUMN checkup_institutions.fundus IS '眼底検査';
COMMENT ON COLUMN checkup_institutions.anemia IS '貧血検査';
COMMENT ON COLUMN checkup_institutions.creatinine IS '血清クレアチニン';
COMMENT ON COLUMN checkup_institutions.import_id IS '取込ID';

CREATE SEQUENCE saved_search_id_seq START 1;
CREATE TABLE saved_searches (
    id BIGINT PRIMARY KEY DEFAULT nextval('saved_search_id_seq'),
    owner VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT false,
    query VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    UNIQUE (owner, name)
);
COMMENT ON TABLE saved_searches IS 'よく使う検索（利用者ごと。共有は全員が使える）';
COMMENT ON COLUMN saved_searches.query IS '検索条件（JSON）';

CREATE TABLE icd_groups (
    name VARCHAR PRIMARY KEY,
    prefixes VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);
COMMENT ON TABLE icd_groups IS '傷病グループ（ICD-10 の前方一致。カンマ区切り）';
INSERT INTO icd_groups VALUES
    ('高血圧症', 'I10,I11,I12,I13,I15', 1),
    ('糖尿病', 'E10,E11,E12,E13,E14', 2),
    ('脂質異常症', 'E78', 3);

CREATE TABLE insured_marks (
    insured_id VARCHAR NOT NULL,
    mark VARCHAR NOT NULL,
    fy INTEGER,
    set_by VARCHAR NOT NULL,
    set_at TIMESTAMP NOT NULL,
    note VARCHAR,
    PRIMARY KEY (insured_id, mark)
);
COMMENT ON TABLE insured_marks IS '被保険者への印（excluded=除外, recommend=勧奨対象）';

