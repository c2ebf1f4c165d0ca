//! License groups and agreements: volume agreements with number sets and
//! validated entitlements, and "other software" agreements, sized against the
//! detected inventory so the reports show covered, short and surplus products.

use rusqlite::{Connection, params};

use super::clock::Clock;
use super::software::product_index;

/// License groups beyond the built-in "Unassigned agreements" (id 1).
const LICENSE_GROUPS: &[(i64, &str)] = &[(2, "Head office"), (3, "Engineering"), (4, "Retail stores")];
const UNASSIGNED: i64 = 1;
const HEAD_OFFICE: i64 = 2;
const ENGINEERING: i64 = 3;
const RETAIL: i64 = 4;

/// How a licensed quantity relates to what is installed (R-RPT-2).
#[derive(Debug, Clone, Copy)]
enum Cover {
    Short,
    Exact,
    Surplus,
}

impl Cover {
    fn quantity(self, installed: i64) -> i64 {
        match self {
            Cover::Short => (installed - (installed / 8).max(1)).max(0),
            Cover::Exact => installed,
            Cover::Surplus => installed + (installed / 5).max(2),
        }
    }
}

/// One agreement as planned; its id is its index + 1.
struct Spec {
    name: &'static str,
    group: i64,
    body: Body,
    created_days_ago: i64,
}

enum Body {
    /// Volume agreement: program, number sets, validation and what it entitles.
    Volume {
        program: &'static str,
        sets: &'static [(&'static str, &'static str)],
        validation: &'static str,
        entitles: &'static [(&'static str, Cover)],
    },
    /// Other software: one product, a count and a term (days from today).
    Other {
        product: &'static str,
        cover: Cover,
        term: (i64, i64),
        details: &'static str,
    },
}

const SPECS: &[Spec] = &[
    Spec {
        name: "Office agreements",
        group: HEAD_OFFICE,
        created_days_ago: 400,
        body: Body::Volume {
            program: "open_value",
            sets: &[("01-07001", "01-07001"), ("01-07002", "01-07002")],
            validation: "valid",
            entitles: &[
                ("Microsoft 365 Apps for enterprise", Cover::Surplus),
                ("Microsoft Visio Professional 2021", Cover::Short),
            ],
        },
    },
    Spec {
        name: "Server licensing",
        group: HEAD_OFFICE,
        created_days_ago: 380,
        body: Body::Volume {
            program: "select",
            sets: &[("4471-2210", "E-90211")],
            validation: "valid",
            entitles: &[("Microsoft SQL Server 2022 Standard", Cover::Exact)],
        },
    },
    Spec {
        name: "Engineering tools",
        group: ENGINEERING,
        created_days_ago: 250,
        body: Body::Volume {
            program: "enterprise",
            sets: &[("55120-883", "EN-7731")],
            validation: "valid",
            entitles: &[
                ("Microsoft Visual Studio Professional 2022", Cover::Short),
                ("Microsoft Project Professional 2021", Cover::Surplus),
            ],
        },
    },
    Spec {
        name: "Retail POS licenses",
        group: RETAIL,
        created_days_ago: 2,
        body: Body::Volume {
            program: "open",
            sets: &[("A-102934", "L-88120")],
            validation: "pending",
            entitles: &[],
        },
    },
    Spec {
        name: "Legacy Open 2019",
        group: UNASSIGNED,
        created_days_ago: 30,
        body: Body::Volume {
            program: "open",
            sets: &[("A-77001", "L-77001")],
            validation: "invalid",
            entitles: &[],
        },
    },
    Spec {
        name: "Adobe Acrobat Pro 2024",
        group: HEAD_OFFICE,
        created_days_ago: 200,
        body: Body::Other {
            product: "Adobe Acrobat Pro",
            cover: Cover::Short,
            term: (-200, 165),
            details: "Adobe VIP, reseller Northwind Traders; true-up due at anniversary",
        },
    },
    Spec {
        name: "AutoCAD seats",
        group: ENGINEERING,
        created_days_ago: 300,
        body: Body::Other {
            product: "AutoCAD 2025",
            cover: Cover::Surplus,
            term: (-300, 430),
            details: "3-year term, named users",
        },
    },
    Spec {
        name: "JetBrains All Products Pack",
        group: ENGINEERING,
        created_days_ago: 120,
        body: Body::Other {
            product: "IntelliJ IDEA Ultimate",
            cover: Cover::Exact,
            term: (-120, 245),
            details: "floating licenses via the JetBrains license server",
        },
    },
    Spec {
        name: "Snagit site license",
        group: RETAIL,
        created_days_ago: 340,
        body: Body::Other {
            product: "Snagit 2024",
            cover: Cover::Exact,
            term: (-340, 25),
            details: "renewal quote requested",
        },
    },
    Spec {
        name: "CorelDRAW Graphics Suite",
        group: UNASSIGNED,
        created_days_ago: 90,
        body: Body::Other {
            product: "CorelDRAW Graphics Suite 2024",
            cover: Cover::Surplus,
            term: (-90, 275),
            details: "perpetual licenses with one year of maintenance",
        },
    },
    Spec {
        name: "Zoom Workplace Business",
        group: HEAD_OFFICE,
        created_days_ago: 420,
        body: Body::Other {
            product: "Zoom Workplace",
            cover: Cover::Exact,
            term: (-420, -55),
            details: "not renewed; moved to Teams",
        },
    },
];

/// The agreements that also get a pool, so their seats can be assigned.
pub(crate) const WITH_POOL: &[&str] = &["Adobe Acrobat Pro 2024", "JetBrains All Products Pack"];

/// An agreement a pool is linked to.
pub(crate) struct PoolLink {
    pub agreement: u32,
    pub name: &'static str,
    pub product: usize,
    pub licenses: i64,
    pub term: (i64, i64),
}

/// The planned agreements, sized against the inventory.
pub(crate) struct Agreements {
    counts: Vec<i64>,
    installed: Vec<i64>,
}

impl Agreements {
    /// Sized against `installed`: computers per catalog product.
    pub(crate) fn plan(installed: &[i64]) -> Self {
        let counts = SPECS
            .iter()
            .map(|spec| match spec.body {
                Body::Other { product, cover, .. } => {
                    cover.quantity(installed.get(product_index(product)).copied().unwrap_or(0))
                }
                Body::Volume { .. } => 0,
            })
            .collect();
        Agreements {
            counts,
            installed: installed.to_vec(),
        }
    }

    /// Agreements that also get a pool.
    pub(crate) fn pool_links(&self) -> Vec<PoolLink> {
        let found = (1..)
            .zip(SPECS)
            .zip(&self.counts)
            .filter(|((_, s), _)| WITH_POOL.contains(&s.name));
        found
            .filter_map(|((id, spec), count)| match spec.body {
                Body::Other { product, term, .. } => Some(PoolLink {
                    agreement: id,
                    name: spec.name,
                    product: product_index(product),
                    licenses: *count,
                    term,
                }),
                Body::Volume { .. } => None,
            })
            .collect()
    }

    pub(crate) fn write(&self, conn: &Connection, clock: &Clock) -> rusqlite::Result<()> {
        let mut stmt = conn.prepare_cached("INSERT INTO license_groups (id, name) VALUES (?1, ?2)")?;
        for (id, name) in LICENSE_GROUPS {
            stmt.execute(params![id, name])?;
        }
        for ((id, spec), count) in (1..).zip(SPECS).zip(&self.counts) {
            match &spec.body {
                Body::Volume {
                    program,
                    sets,
                    validation,
                    entitles,
                } => {
                    self.write_volume(conn, clock, (id, spec), (program, validation))?;
                    write_sets(conn, id, sets)?;
                    self.write_entitlements(conn, id, entitles)?;
                }
                Body::Other {
                    product,
                    term,
                    details,
                    ..
                } => {
                    write_other(
                        conn,
                        clock,
                        (id, spec),
                        (product_index(product), *count),
                        (*term, details),
                    )?;
                }
            }
        }
        Ok(())
    }

    fn write_volume(
        &self,
        conn: &Connection,
        clock: &Clock,
        (id, spec): (u32, &Spec),
        (program, validation): (&str, &str),
    ) -> rusqlite::Result<()> {
        let validated = (*validation != *"pending").then(|| clock.days_ago(spec.created_days_ago - 1));
        let file = (spec.created_days_ago > 100).then_some("agreements-2024.csv");
        conn.prepare_cached(
            "INSERT INTO agreements (id, name, kind, license_group_id, program, validation, validated_at, \
             source_file, created_at) VALUES (?1, ?2, 'volume', ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id,
            spec.name,
            spec.group,
            program,
            validation,
            validated,
            file,
            clock.days_ago(spec.created_days_ago)
        ])?;
        Ok(())
    }

    fn write_entitlements(
        &self,
        conn: &Connection,
        id: u32,
        entitles: &[(&str, Cover)],
    ) -> rusqlite::Result<()> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO entitlements (agreement_id, product_id, quantity) VALUES (?1, ?2, ?3)",
        )?;
        for (title, cover) in entitles {
            let product = product_index(title);
            stmt.execute(params![
                id,
                product as i64 + 1,
                cover.quantity(self.installed[product])
            ])?;
        }
        Ok(())
    }
}

fn write_sets(conn: &Connection, id: u32, sets: &[(&str, &str)]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO agreement_number_sets (agreement_id, first_number, second_number) VALUES (?1, ?2, ?3)",
    )?;
    for (first, second) in sets {
        stmt.execute(params![id, first, second])?;
    }
    Ok(())
}

fn write_other(
    conn: &Connection,
    clock: &Clock,
    (id, spec): (u32, &Spec),
    (product, count): (usize, i64),
    ((starts, ends), details): ((i64, i64), &str),
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO agreements (id, name, kind, license_group_id, product_id, license_count, starts_on, \
         ends_on, details, validation, created_at) VALUES (?1, ?2, 'other', ?3, ?4, ?5, ?6, ?7, ?8, 'valid', ?9)",
    )?
    .execute(params![
        id,
        spec.name,
        spec.group,
        product as i64 + 1,
        count,
        clock.date(starts),
        clock.date(ends),
        details,
        clock.days_ago(spec.created_days_ago)
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::software::PRODUCTS;

    #[test]
    fn number_sets_fit_the_limit() {
        for spec in SPECS {
            if let Body::Volume { sets, .. } = spec.body {
                for (a, b) in sets {
                    assert!(a.len() + b.len() <= 16 && a.is_ascii() && b.is_ascii(), "{a} {b}");
                }
            }
        }
    }

    #[test]
    fn names_avoid_forbidden_characters() {
        let forbidden = "~!@#$^&*()=+[]{}\\|;:'\"<>/";
        for spec in SPECS {
            assert!(!spec.name.contains(|c| forbidden.contains(c)), "{}", spec.name);
        }
    }

    #[test]
    fn every_title_is_in_the_catalog() {
        let known = |title: &str| PRODUCTS.iter().any(|p| p.title == title);
        for spec in SPECS {
            match spec.body {
                Body::Volume { entitles, .. } => assert!(entitles.iter().all(|(t, _)| known(t))),
                Body::Other { product, .. } => assert!(known(product), "{product}"),
            }
        }
    }

    #[test]
    fn cover_shapes() {
        assert!(Cover::Short.quantity(10) < 10);
        assert_eq!(Cover::Exact.quantity(10), 10);
        assert!(Cover::Surplus.quantity(10) > 10);
        assert_eq!(Cover::Short.quantity(0), 0);
    }
}
