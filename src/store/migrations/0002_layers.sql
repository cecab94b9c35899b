-- Map layers (boundaries, facilities, stations, user shapefiles). Each layer's features
-- live in their own table layer_<id>: fid, WKB geometry in JGD2011 lon/lat, bbox columns,
-- then the file's attribute columns.
CREATE SEQUENCE layer_id_seq START 1;
CREATE TABLE layers (
    layer_id BIGINT PRIMARY KEY DEFAULT nextval('layer_id_seq'),
    name VARCHAR NOT NULL UNIQUE,
    geometry_type VARCHAR NOT NULL,
    feature_count BIGINT NOT NULL,
    source_file VARCHAR,
    source_crs VARCHAR NOT NULL,
    encoding VARCHAR,
    min_lon DOUBLE, min_lat DOUBLE, max_lon DOUBLE, max_lat DOUBLE,
    fields_json VARCHAR NOT NULL,
    notes VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE layers IS '地図レイヤ（境界・施設・駅など）の一覧';
COMMENT ON COLUMN layers.fields_json IS '属性列の名前と型（JSON）';
