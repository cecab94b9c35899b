-- Where institutions without the master's 緯度・経度 are, placed once by address matching
-- when the medical institution master or the address points are imported (as the insured
-- are in insured_locations), instead of on every change of fiscal year.
CREATE TABLE institution_locations (
    institution_code VARCHAR PRIMARY KEY,
    match_level TINYINT NOT NULL,
    lon DOUBLE NOT NULL,
    lat DOUBLE NOT NULL
);
COMMENT ON TABLE institution_locations IS '医療機関の位置（住所照合の結果。マスタに緯度経度がない機関）';
COMMENT ON COLUMN institution_locations.match_level IS '一致レベル: 1=街区, 2=町丁・字';
