//! The software catalog as an import and a mapping change see it
//! (issue 9, R-APP-10): publishers, products by title key, raw product
//! names and the admins' overrides, held in memory so that a 4M-row
//! inventory costs one lookup a name, not one query a row.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::domain::product_names::{normalise, title_key};

/// What the catalog made while it was used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Made {
    pub publishers: usize,
    pub products: usize,
    pub raw_names: usize,
}

/// The catalog, loaded once per transaction.
pub(crate) struct Catalog {
    publishers: HashMap<String, i64>,
    products: HashMap<(i64, String), i64>,
    raws: HashMap<(i64, String), (i64, i64)>,
    overrides: HashMap<String, String>,
    pub made: Made,
}

/// Publishers and overrides compare as SQLite's NOCASE does: ASCII only.
pub(crate) fn fold(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl Catalog {
    pub(crate) fn load(conn: &Connection) -> rusqlite::Result<Catalog> {
        let mut catalog = Catalog {
            publishers: HashMap::new(),
            products: HashMap::new(),
            raws: HashMap::new(),
            overrides: HashMap::new(),
            made: Made::default(),
        };
        let mut stmt = conn.prepare("SELECT id, name FROM publishers")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, name) = row?;
            catalog.publishers.insert(fold(&name), id);
        }
        // The oldest product of a key wins, so demo titles keep their rows.
        let mut stmt = conn.prepare("SELECT id, publisher_id, title FROM products ORDER BY id DESC")?;
        for row in stmt.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get::<_, String>(2)?))
        })? {
            let (id, publisher, title) = row?;
            catalog.products.insert((publisher, title_key(&title)), id);
        }
        let mut stmt = conn.prepare("SELECT id, publisher_id, raw, product_id FROM product_raw_names")?;
        for row in stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })? {
            let (id, publisher, raw, product) = row?;
            catalog.raws.insert((publisher, raw), (id, product));
        }
        let mut stmt = conn.prepare("SELECT raw, title FROM product_name_overrides")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (raw, title) = row?;
            catalog.overrides.insert(fold(&raw), title);
        }
        Ok(catalog)
    }

    /// The title `raw` counts as: an admin's override, else the normaliser's.
    pub(crate) fn title_for(&self, raw: &str) -> String {
        match self.overrides.get(&fold(raw)) {
            Some(title) => title.clone(),
            None => normalise(raw),
        }
    }

    /// The publisher named `name`, made when new.
    pub(crate) fn publisher(&mut self, conn: &Connection, name: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.publishers.get(&fold(name)) {
            return Ok(*id);
        }
        conn.execute("INSERT INTO publishers (name) VALUES (?1)", [name])?;
        let id = conn.last_insert_rowid();
        self.publishers.insert(fold(name), id);
        self.made.publishers += 1;
        Ok(id)
    }

    /// The product `title` of `publisher` (compared by title key), made when new.
    pub(crate) fn product(
        &mut self,
        conn: &Connection,
        publisher: i64,
        title: &str,
    ) -> rusqlite::Result<i64> {
        let key = (publisher, title_key(title));
        if let Some(id) = self.products.get(&key) {
            return Ok(*id);
        }
        conn.execute(
            "INSERT INTO products (publisher_id, title) VALUES (?1, ?2)",
            params![publisher, title],
        )?;
        let id = conn.last_insert_rowid();
        self.products.insert(key, id);
        self.made.products += 1;
        Ok(id)
    }

    /// The raw name `raw` of `publisher` as (its id, its product, whether it
    /// is new), made and mapped to its title when new.
    pub(crate) fn raw_name(
        &mut self,
        conn: &Connection,
        publisher: i64,
        raw: &str,
    ) -> rusqlite::Result<(i64, i64, bool)> {
        if let Some((id, product)) = self.raws.get(&(publisher, raw.to_owned())) {
            return Ok((*id, *product, false));
        }
        let title = self.title_for(raw);
        let product = self.product(conn, publisher, &title)?;
        conn.execute(
            "INSERT INTO product_raw_names (publisher_id, raw, product_id) VALUES (?1, ?2, ?3)",
            params![publisher, raw, product],
        )?;
        let id = conn.last_insert_rowid();
        self.raws.insert((publisher, raw.to_owned()), (id, product));
        self.made.raw_names += 1;
        Ok((id, product, true))
    }
}
