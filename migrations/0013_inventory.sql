-- seats cache schema, version 13: software inventory by CSV and product-name
-- normalisation (issue 9, R-APP-10).
-- Append-only: never edit a released migration, add the next one instead.

-- Each product name as detected, per publisher, and the catalog title it
-- counts as: "Adobe Acrobat Pro 2024 (64-bit)" and "Adobe Acrobat Pro 2024"
-- both point at the product "Adobe Acrobat Pro 2024". Inventory rows keep
-- the raw name, so a changed mapping moves them to another title.
CREATE TABLE product_raw_names (
    id              INTEGER PRIMARY KEY,
    publisher_id    INTEGER NOT NULL REFERENCES publishers(id) ON DELETE CASCADE,
    raw             TEXT NOT NULL,
    product_id      INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    UNIQUE (publisher_id, raw)
);
CREATE INDEX product_raw_names_product ON product_raw_names(product_id);

-- An admin's mapping of a raw name (any publisher, compared ignoring
-- case) to a title, which wins over the normaliser (`seats products map`).
CREATE TABLE product_name_overrides (
    raw     TEXT PRIMARY KEY COLLATE NOCASE,
    title   TEXT NOT NULL,
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL
);

-- Imported rows: the raw name they were detected as, the user the file
-- named (a UPN, kept as text: the cache may not hold that user), and the
-- import key computer + raw name + version, which makes a re-import of the
-- same file change nothing. Demo and Graph rows leave raw_name_id NULL.
ALTER TABLE inventory ADD COLUMN raw_name_id INTEGER REFERENCES product_raw_names(id) ON DELETE CASCADE;
ALTER TABLE inventory ADD COLUMN user_upn TEXT;
CREATE UNIQUE INDEX inventory_import_key
    ON inventory(device_id, raw_name_id, ifnull(version, '')) WHERE raw_name_id IS NOT NULL;

-- Computers an inventory file named that the cache did not know: created
-- unmanaged (no source manages them), with the file that brought them.
ALTER TABLE devices ADD COLUMN imported_from TEXT;
