-- Saved maps (地図の保存): the choropleth settings with the edited legend, layer
-- visibility and opacity, the view, the basemap and the facility conditions, as JSON.
CREATE TABLE saved_maps (
    name VARCHAR PRIMARY KEY,
    saved_at TIMESTAMP NOT NULL,
    body VARCHAR NOT NULL
);
COMMENT ON TABLE saved_maps IS '保存した地図（凡例・表示設定）';
COMMENT ON COLUMN saved_maps.body IS '設定（JSON）';
