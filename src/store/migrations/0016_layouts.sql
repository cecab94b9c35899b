-- Print layouts (印刷レイアウト): the page, the items in mm and the map settings, as JSON,
-- under the name the analyst gave (a display name, kept as data).
CREATE TABLE layouts (
    name VARCHAR PRIMARY KEY,
    saved_at TIMESTAMP NOT NULL,
    body VARCHAR NOT NULL
);
COMMENT ON TABLE layouts IS '印刷レイアウト（ページ・項目・地図の設定）';
COMMENT ON COLUMN layouts.body IS '設定（JSON）';
