-- Migration 1: the data tables (one per kind of customer data) and the system tables.
-- Column order must match src/import/kinds.rs (checked by a test): the importer appends
-- Arrow batches in this order, with import_id last.

CREATE TABLE insured (
    insured_id VARCHAR NOT NULL,
    insurer_no VARCHAR NOT NULL,
    symbol_no VARCHAR,
    name VARCHAR NOT NULL,
    kana_name VARCHAR,
    sex TINYINT NOT NULL,
    birth_date DATE NOT NULL,
    postal_code VARCHAR,
    address VARCHAR,
    municipality_code VARCHAR NOT NULL,
    acquired_date DATE NOT NULL,
    lost_date DATE,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE insured IS '被保険者台帳';
COMMENT ON COLUMN insured.insured_id IS '被保険者ID';
COMMENT ON COLUMN insured.insurer_no IS '保険者番号';
COMMENT ON COLUMN insured.symbol_no IS '記号・番号';
COMMENT ON COLUMN insured.name IS '氏名';
COMMENT ON COLUMN insured.kana_name IS 'カナ氏名';
COMMENT ON COLUMN insured.sex IS '性別';
COMMENT ON COLUMN insured.birth_date IS '生年月日';
COMMENT ON COLUMN insured.postal_code IS '郵便番号';
COMMENT ON COLUMN insured.address IS '住所';
COMMENT ON COLUMN insured.municipality_code IS '市町村コード';
COMMENT ON COLUMN insured.acquired_date IS '資格取得日';
COMMENT ON COLUMN insured.lost_date IS '資格喪失日';
COMMENT ON COLUMN insured.import_id IS '取込ID';

CREATE TABLE insurers (
    insurer_no VARCHAR NOT NULL,
    insurer_name VARCHAR NOT NULL,
    municipality_code VARCHAR NOT NULL,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE insurers IS '保険者情報';
COMMENT ON COLUMN insurers.insurer_no IS '保険者番号';
COMMENT ON COLUMN insurers.insurer_name IS '保険者名';
COMMENT ON COLUMN insurers.municipality_code IS '市町村コード';
COMMENT ON COLUMN insurers.import_id IS '取込ID';

CREATE TABLE checkups (
    insured_id VARCHAR NOT NULL,
    insurer_no VARCHAR NOT NULL,
    checkup_date DATE NOT NULL,
    fy INTEGER NOT NULL,
    institution_code VARCHAR,
    height DOUBLE,
    weight DOUBLE,
    bmi DOUBLE,
    waist DOUBLE,
    sbp INTEGER,
    dbp INTEGER,
    tg INTEGER,
    hdl INTEGER,
    ldl INTEGER,
    ast INTEGER,
    alt INTEGER,
    ggt INTEGER,
    hba1c DOUBLE,
    fasting_glucose INTEGER,
    urine_sugar VARCHAR,
    urine_protein VARCHAR,
    med_bp BOOLEAN,
    med_glucose BOOLEAN,
    med_lipid BOOLEAN,
    smoking BOOLEAN,
    guidance_level VARCHAR,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE checkups IS '健診結果';
COMMENT ON COLUMN checkups.insured_id IS '被保険者ID';
COMMENT ON COLUMN checkups.insurer_no IS '保険者番号';
COMMENT ON COLUMN checkups.checkup_date IS '健診受診日';
COMMENT ON COLUMN checkups.fy IS '年度';
COMMENT ON COLUMN checkups.institution_code IS '健診機関コード';
COMMENT ON COLUMN checkups.height IS '身長';
COMMENT ON COLUMN checkups.weight IS '体重';
COMMENT ON COLUMN checkups.bmi IS 'BMI';
COMMENT ON COLUMN checkups.waist IS '腹囲';
COMMENT ON COLUMN checkups.sbp IS '収縮期血圧';
COMMENT ON COLUMN checkups.dbp IS '拡張期血圧';
COMMENT ON COLUMN checkups.tg IS '中性脂肪';
COMMENT ON COLUMN checkups.hdl IS 'HDLコレステロール';
COMMENT ON COLUMN checkups.ldl IS 'LDLコレステロール';
COMMENT ON COLUMN checkups.ast IS 'AST(GOT)';
COMMENT ON COLUMN checkups.alt IS 'ALT(GPT)';
COMMENT ON COLUMN checkups.ggt IS 'γ-GT';
COMMENT ON COLUMN checkups.hba1c IS 'HbA1c';
COMMENT ON COLUMN checkups.fasting_glucose IS '空腹時血糖';
COMMENT ON COLUMN checkups.urine_sugar IS '尿糖';
COMMENT ON COLUMN checkups.urine_protein IS '尿蛋白';
COMMENT ON COLUMN checkups.med_bp IS '服薬（血圧）';
COMMENT ON COLUMN checkups.med_glucose IS '服薬（血糖）';
COMMENT ON COLUMN checkups.med_lipid IS '服薬（脂質）';
COMMENT ON COLUMN checkups.smoking IS '喫煙';
COMMENT ON COLUMN checkups.guidance_level IS '保健指導レベル';
COMMENT ON COLUMN checkups.import_id IS '取込ID';

CREATE TABLE claims (
    claim_id VARCHAR NOT NULL,
    insured_id VARCHAR NOT NULL,
    insurer_no VARCHAR NOT NULL,
    service_month DATE NOT NULL,
    institution_code VARCHAR NOT NULL,
    inpatient BOOLEAN NOT NULL,
    days INTEGER NOT NULL,
    points INTEGER NOT NULL,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE claims IS '医療レセプト管理';
COMMENT ON COLUMN claims.claim_id IS 'レセプト番号';
COMMENT ON COLUMN claims.insured_id IS '被保険者ID';
COMMENT ON COLUMN claims.insurer_no IS '保険者番号';
COMMENT ON COLUMN claims.service_month IS '診療年月';
COMMENT ON COLUMN claims.institution_code IS '医療機関コード';
COMMENT ON COLUMN claims.inpatient IS '入外区分';
COMMENT ON COLUMN claims.days IS '診療実日数';
COMMENT ON COLUMN claims.points IS '決定点数';
COMMENT ON COLUMN claims.import_id IS '取込ID';

CREATE TABLE claim_diseases (
    claim_id VARCHAR NOT NULL,
    insurer_no VARCHAR NOT NULL,
    service_month DATE NOT NULL,
    icd10 VARCHAR NOT NULL,
    disease_name VARCHAR NOT NULL,
    is_main BOOLEAN,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE claim_diseases IS '医療傷病名';
COMMENT ON COLUMN claim_diseases.claim_id IS 'レセプト番号';
COMMENT ON COLUMN claim_diseases.insurer_no IS '保険者番号';
COMMENT ON COLUMN claim_diseases.service_month IS '診療年月';
COMMENT ON COLUMN claim_diseases.icd10 IS 'ICD10コード';
COMMENT ON COLUMN claim_diseases.disease_name IS '傷病名';
COMMENT ON COLUMN claim_diseases.is_main IS '主傷病';
COMMENT ON COLUMN claim_diseases.import_id IS '取込ID';

CREATE TABLE claim_procedures (
    claim_id VARCHAR NOT NULL,
    insurer_no VARCHAR NOT NULL,
    service_month DATE NOT NULL,
    procedure_code VARCHAR NOT NULL,
    procedure_name VARCHAR,
    count INTEGER NOT NULL,
    points INTEGER NOT NULL,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE claim_procedures IS '医療摘要';
COMMENT ON COLUMN claim_procedures.claim_id IS 'レセプト番号';
COMMENT ON COLUMN claim_procedures.insurer_no IS '保険者番号';
COMMENT ON COLUMN claim_procedures.service_month IS '診療年月';
COMMENT ON COLUMN claim_procedures.procedure_code IS '診療行為コード';
COMMENT ON COLUMN claim_procedures.procedure_name IS '診療行為名称';
COMMENT ON COLUMN claim_procedures.count IS '回数';
COMMENT ON COLUMN claim_procedures.points IS '点数';
COMMENT ON COLUMN claim_procedures.import_id IS '取込ID';

CREATE TABLE claim_icd_points (
    claim_id VARCHAR NOT NULL,
    insurer_no VARCHAR NOT NULL,
    service_month DATE NOT NULL,
    icd10 VARCHAR NOT NULL,
    points INTEGER NOT NULL,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE claim_icd_points IS '医療最大医療資源ICD別点数';
COMMENT ON COLUMN claim_icd_points.claim_id IS 'レセプト番号';
COMMENT ON COLUMN claim_icd_points.insurer_no IS '保険者番号';
COMMENT ON COLUMN claim_icd_points.service_month IS '診療年月';
COMMENT ON COLUMN claim_icd_points.icd10 IS '最大医療資源ICD10';
COMMENT ON COLUMN claim_icd_points.points IS '点数';
COMMENT ON COLUMN claim_icd_points.import_id IS '取込ID';

CREATE TABLE medical_institutions (
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    address VARCHAR,
    phone VARCHAR,
    lat DOUBLE,
    lon DOUBLE,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE medical_institutions IS '医療機関マスタ';
COMMENT ON COLUMN medical_institutions.code IS '医療機関コード';
COMMENT ON COLUMN medical_institutions.name IS '医療機関名';
COMMENT ON COLUMN medical_institutions.address IS '所在地';
COMMENT ON COLUMN medical_institutions.phone IS '電話番号';
COMMENT ON COLUMN medical_institutions.lat IS '緯度';
COMMENT ON COLUMN medical_institutions.lon IS '経度';
COMMENT ON COLUMN medical_institutions.import_id IS '取込ID';

CREATE TABLE checkup_institutions (
    code VARCHAR NOT NULL,
    name VARCHAR,
    does_checkup BOOLEAN NOT NULL,
    does_cancer_screening BOOLEAN,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE checkup_institutions IS '健診機関マスタ';
COMMENT ON COLUMN checkup_institutions.code IS '健診機関コード';
COMMENT ON COLUMN checkup_institutions.name IS '健診機関名';
COMMENT ON COLUMN checkup_institutions.does_checkup IS '特定健診実施';
COMMENT ON COLUMN checkup_institutions.does_cancer_screening IS 'がん検診実施';
COMMENT ON COLUMN checkup_institutions.import_id IS '取込ID';

CREATE TABLE recommendation_targets (
    insurer_no VARCHAR NOT NULL,
    symbol_no VARCHAR,
    insured_id VARCHAR,
    name VARCHAR,
    birth_date DATE,
    address VARCHAR,
    category VARCHAR,
    list_date DATE NOT NULL,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE recommendation_targets IS '特定健康診査受診勧奨対象者リスト';
COMMENT ON COLUMN recommendation_targets.insurer_no IS '保険者番号';
COMMENT ON COLUMN recommendation_targets.symbol_no IS '記号・番号';
COMMENT ON COLUMN recommendation_targets.insured_id IS '被保険者ID';
COMMENT ON COLUMN recommendation_targets.name IS '氏名';
COMMENT ON COLUMN recommendation_targets.birth_date IS '生年月日';
COMMENT ON COLUMN recommendation_targets.address IS '住所';
COMMENT ON COLUMN recommendation_targets.category IS '勧奨区分';
COMMENT ON COLUMN recommendation_targets.list_date IS '作成日';
COMMENT ON COLUMN recommendation_targets.import_id IS '取込ID';

CREATE TABLE address_points (
    pref_name VARCHAR NOT NULL,
    city_name VARCHAR NOT NULL,
    oaza VARCHAR NOT NULL,
    koaza VARCHAR,
    block VARCHAR NOT NULL,
    zone INTEGER,
    x DOUBLE,
    y DOUBLE,
    lat DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    residential_flag INTEGER,
    representative_flag INTEGER,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE address_points IS '位置参照情報（街区レベル）';
COMMENT ON COLUMN address_points.pref_name IS '都道府県名';
COMMENT ON COLUMN address_points.city_name IS '市区町村名';
COMMENT ON COLUMN address_points.oaza IS '大字・町丁目名';
COMMENT ON COLUMN address_points.koaza IS '小字・通称名';
COMMENT ON COLUMN address_points.block IS '街区符号・地番';
COMMENT ON COLUMN address_points.zone IS '座標系番号';
COMMENT ON COLUMN address_points.x IS 'X座標';
COMMENT ON COLUMN address_points.y IS 'Y座標';
COMMENT ON COLUMN address_points.lat IS '緯度';
COMMENT ON COLUMN address_points.lon IS '経度';
COMMENT ON COLUMN address_points.residential_flag IS '住居表示フラグ';
COMMENT ON COLUMN address_points.representative_flag IS '代表フラグ';
COMMENT ON COLUMN address_points.import_id IS '取込ID';

CREATE SEQUENCE import_id_seq START 1;
CREATE TABLE import_history (
    id BIGINT PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR,
    encoding VARCHAR,
    rows BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    result VARCHAR NOT NULL,
    message VARCHAR
);
COMMENT ON TABLE import_history IS '取込履歴';

CREATE TABLE import_rejects (
    import_id BIGINT NOT NULL,
    line BIGINT NOT NULL,
    column_name VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL
);
COMMENT ON TABLE import_rejects IS '取込で除外・拒否した行（個人情報を含むためファイルには出さない）';

CREATE TABLE user_tables (
    name VARCHAR PRIMARY KEY,
    source_file VARCHAR NOT NULL,
    sheet VARCHAR,
    header_row INTEGER NOT NULL,
    key_column VARCHAR,
    link_to VARCHAR,
    rows BIGINT NOT NULL,
    import_id BIGINT NOT NULL
);
COMMENT ON TABLE user_tables IS '利用者が取り込んだ独自データの一覧';
