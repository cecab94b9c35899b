-- Address matching (住所照合): where each insured person lives. Rebuilt as a whole after an
-- import of the insured or of the address-point reference, in one transaction.
CREATE TABLE ref_small_areas (
    key_code VARCHAR PRIMARY KEY,
    municipality_code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    layer_name VARCHAR NOT NULL
);
COMMENT ON TABLE ref_small_areas IS '町丁・字（住所照合に使った小地域レイヤ）';

CREATE TABLE insured_locations (
    insured_id VARCHAR NOT NULL,
    insurer_no VARCHAR NOT NULL,
    municipality_code VARCHAR,
    match_level TINYINT NOT NULL,
    key_code VARCHAR,
    lon DOUBLE,
    lat DOUBLE,
    candidates VARCHAR
);
COMMENT ON TABLE insured_locations IS '被保険者の位置（住所照合の結果）';
COMMENT ON COLUMN insured_locations.match_level IS '一致レベル: 1=街区, 2=町丁・字, 3=曖昧, 0=不明';
COMMENT ON COLUMN insured_locations.candidates IS '曖昧なときの候補 KEY_CODE（カンマ区切り）';
