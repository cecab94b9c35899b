-- What searches read of the claims, per fiscal year: who visited which institution, and
-- who was treated for which ICD-10 code (distinct). Rebuilt by search::index for the
-- years whose claims changed since last_import (the claims' own import ids).
CREATE TABLE visit_index (
    fy INTEGER NOT NULL,
    insured_id VARCHAR NOT NULL,
    institution_code VARCHAR NOT NULL
);
COMMENT ON TABLE visit_index IS '検索用: 年度・被保険者・受療した医療機関（医療レセプトから）';
CREATE TABLE disease_index (
    fy INTEGER NOT NULL,
    insured_id VARCHAR NOT NULL,
    icd10 VARCHAR NOT NULL
);
COMMENT ON TABLE disease_index IS '検索用: 年度・被保険者・傷病名の ICD-10（医療レセプトから）';
CREATE TABLE search_index_state (
    last_import BIGINT NOT NULL
);
COMMENT ON TABLE search_index_state IS '検索用の表を作ったときの最後の取込ID';
