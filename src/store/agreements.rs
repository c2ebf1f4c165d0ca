//! Agreements, their license groups and coverage against inventory (R-AGR-*,
//! R-RPT-2).

use rusqlite::{Connection, Row};

use super::filter_sql::{FilterColumn, column};
use super::list::{ListSpec, Page, PageRequest, fetch_page};
use crate::domain::FieldKind::{Date, Number, Text};

/// One agreement as the Agreements pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub license_group: String,
    pub program: Option<String>,
    pub number_sets: i64,
    pub first_number_set: Option<String>,
    /// Product title; volume agreements have none (R-AGR-9).
    pub product: Option<String>,
    pub publisher: Option<String>,
    /// Licensed count: the license count, or the validated entitlements.
    pub licensed: Option<i64>,
    /// Computers on which the covered software was detected.
    pub installed: i64,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub validation: String,
    pub validated_at: Option<String>,
    pub details: Option<String>,
    pub source_file: Option<String>,
    /// A volume agreement's number sets, each with its validation (R-AGR-8);
    /// `validation` is then their overall state: pending, valid, not_found
    /// or mismatched.
    pub sets: Vec<super::agreement_validation::SetState>,
}

impl AgreementRow {
    /// licensed - installed: negative is a shortfall, positive a surplus.
    pub fn coverage(&self) -> Option<i64> {
        self.licensed.map(|licensed| licensed - self.installed)
    }
}

/// Column order of the Agreements table.
/// Headers are short so the table fits 80 columns: Lic = licensed count,
/// Inst = computers where the software was found.
pub const COLUMNS: &[&str] = &["Name", "Group", "Lic", "Inst", "Coverage", "Valid", "Ends"];

/// What filter conditions may name in Agreements. A count not known yet
/// (a volume agreement before validation) matches no condition.
pub const FIELDS: &[FilterColumn] = &[
    column("name", Text, "name"),
    column("group", Text, "license_group"),
    column("kind", Text, "kind"),
    column("program", Text, "coalesce(program, '')"),
    column("product", Text, "coalesce(product, '')"),
    column("publisher", Text, "coalesce(publisher, '')"),
    column("valid", Text, "validation"),
    column("licensed", Number, "licensed"),
    column("installed", Number, "installed"),
    column("coverage", Number, "licensed - installed"),
    column("sets", Number, "number_sets"),
    column("starts", Date, "coalesce(starts_on, '0000-01-01')"),
    column("ends", Date, "coalesce(ends_on, '9999-12-31')"),
];

const SPEC: ListSpec = ListSpec {
    base: "SELECT ag.id, ag.name, ag.kind, lg.name AS license_group, ag.program, ag.starts_on, \
             ag.ends_on, \
             CASE WHEN NOT EXISTS (SELECT 1 FROM agreement_number_sets n WHERE n.agreement_id = ag.id) \
                 THEN CASE ag.validation WHEN 'invalid' THEN 'not_found' ELSE ag.validation END \
               ELSE (SELECT CASE WHEN max(n.validation = 'pending') THEN 'pending' \
                                 WHEN max(n.validation = 'mismatched') THEN 'mismatched' \
                                 WHEN max(n.validation = 'not_found') THEN 'not_found' ELSE 'valid' END \
                     FROM agreement_number_sets n WHERE n.agreement_id = ag.id) END AS validation, \
             ag.validated_at, ag.details, ag.source_file, \
             pr.title AS product, pu.name AS publisher, \
             (SELECT count(*) FROM agreement_number_sets n WHERE n.agreement_id = ag.id) AS number_sets, \
             (SELECT n.first_number || ', ' || n.second_number FROM agreement_number_sets n \
                WHERE n.agreement_id = ag.id ORDER BY n.id LIMIT 1) AS first_number_set, \
             CASE ag.kind WHEN 'other' THEN ag.license_count \
               ELSE (SELECT sum(e.quantity) FROM entitlements e WHERE e.agreement_id = ag.id) END AS licensed, \
             CASE ag.kind WHEN 'other' THEN \
                 (SELECT count(DISTINCT i.device_id) FROM inventory i WHERE i.product_id = ag.product_id) \
               ELSE coalesce((SELECT sum((SELECT count(DISTINCT i.device_id) FROM inventory i \
                                        WHERE i.product_id = e.product_id)) \
                              FROM entitlements e WHERE e.agreement_id = ag.id), 0) END AS installed \
           FROM agreements ag \
           JOIN license_groups lg ON lg.id = ag.license_group_id \
           LEFT JOIN products pr ON pr.id = ag.product_id \
           LEFT JOIN publishers pu ON pu.id = pr.publisher_id",
    haystack: "name || ' ' || license_group || ' ' || kind || ' ' || validation || ' ' || \
               coalesce(program, '') || ' ' || coalesce(product, '') || ' ' || coalesce(publisher, '')",
    fields: FIELDS,
    sort_keys: &[
        "name COLLATE NOCASE",
        "license_group COLLATE NOCASE",
        "coalesce(licensed, -1)",
        "installed",
        "coalesce(licensed - installed, -9223372036854775807)",
        "validation",
        "coalesce(ends_on, '9999')",
    ],
    tiebreak: "id",
};

fn map_row(row: &Row<'_>) -> rusqlite::Result<AgreementRow> {
    Ok(AgreementRow {
        id: row.get("id")?,
        name: row.get("name")?,
        kind: row.get("kind")?,
        license_group: row.get("license_group")?,
        program: row.get("program")?,
        number_sets: row.get("number_sets")?,
        first_number_set: row.get("first_number_set")?,
        product: row.get("product")?,
        publisher: row.get("publisher")?,
        licensed: row.get("licensed")?,
        installed: row.get("installed")?,
        starts_on: row.get("starts_on")?,
        ends_on: row.get("ends_on")?,
        validation: row.get("validation")?,
        validated_at: row.get("validated_at")?,
        details: row.get("details")?,
        source_file: row.get("source_file")?,
        sets: Vec::new(),
    })
}

/// One window of the Agreements table.
/// The window's volume agreements carry their sets (a few each, one small
/// query a row), and their state is the sets' overall one.
pub fn page(conn: &Connection, request: &PageRequest) -> rusqlite::Result<Page<AgreementRow>> {
    let mut page = fetch_page(conn, &SPEC, request, map_row)?;
    for row in page.rows.iter_mut().filter(|r| r.kind == "volume") {
        row.sets = super::agreement_validation::sets_of(conn, row.id)?;
        row.validation = super::agreement_validation::overall(&row.sets, &row.validation);
    }
    Ok(page)
}
