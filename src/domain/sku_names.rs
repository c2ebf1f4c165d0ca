//! Friendly names of Microsoft 365 subscriptions: Graph reports a SKU by its
//! part number (`ENTERPRISEPREMIUM`), admins know it by its product name
//! ("Office 365 E5"). The table is bundled (`assets/sku_names.csv`), so
//! names work offline; a part number it lacks simply has no friendly name.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../assets/sku_names.csv");

/// The product name of a Graph `skuPartNumber`, if the bundled table knows
/// it. Part numbers match exactly, else ignoring ASCII case (Graph spells
/// some in mixed case, such as `Microsoft_365_Copilot`).
pub fn friendly_name(part_number: &str) -> Option<&'static str> {
    let names = names();
    let part = part_number.trim();
    names
        .get(part)
        .or_else(|| names.get(part.to_ascii_uppercase().as_str()))
        .copied()
}

/// Part number (as written, and upper-cased) → name.
fn names() -> &'static HashMap<String, &'static str> {
    static NAMES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut out = HashMap::new();
        for (part, name) in entries() {
            out.insert(part.to_ascii_uppercase(), name);
            out.insert(part.to_owned(), name);
        }
        out
    })
}

/// The table's entries in file order: comments and blank lines skipped, the
/// name runs from the first comma to the end of the line.
fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLE
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(','))
        .map(|(part, name)| (part.trim(), name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The part numbers of the demo tenant (src/demo/catalog.rs) and of the
    /// simulator's Company SKU; tests/graph_client.rs checks the same against
    /// a running simulator.
    const DEMO_PARTS: &[&str] = &[
        "SPE_E5",
        "SPE_E3",
        "ENTERPRISEPACK",
        "ENTERPRISEPREMIUM",
        "STANDARDPACK",
        "SPE_F1",
        "EMS",
        "EMSPREMIUM",
        "AAD_PREMIUM",
        "AAD_PREMIUM_P2",
        "POWER_BI_PRO",
        "POWER_BI_STANDARD",
        "FLOW_FREE",
        "TEAMS_EXPLORATORY",
        "VISIOCLIENT",
        "PROJECTPREMIUM",
        "PROJECTPROFESSIONAL",
        "MCOEV",
        "WIN10_VDA_E3",
        "Microsoft_365_Copilot",
        "ATP_ENTERPRISE",
        "INTUNE_A",
        "RIGHTSMANAGEMENT",
        "EXCHANGESTANDARD",
        "MCOPSTNC",
    ];

    #[test]
    fn the_common_part_numbers_have_their_product_names() {
        assert_eq!(friendly_name("ENTERPRISEPREMIUM"), Some("Office 365 E5"));
        assert_eq!(friendly_name("SPE_E5"), Some("Microsoft 365 E5"));
        assert_eq!(friendly_name("EMS"), Some("Enterprise Mobility + Security E3"));
        assert_eq!(friendly_name("M365_F1"), Some("Microsoft 365 F1"));
        assert_eq!(friendly_name("PROJECT_P1"), Some("Project Plan 1"));
        assert_eq!(friendly_name("VISIOCLIENT"), Some("Visio Plan 2"));
        assert_eq!(friendly_name("NO_SUCH_SKU"), None);
        assert_eq!(friendly_name(""), None);
    }

    #[test]
    fn case_and_spaces_do_not_hide_a_name() {
        assert_eq!(
            friendly_name("microsoft_365_copilot"),
            Some("Microsoft 365 Copilot")
        );
        assert_eq!(friendly_name(" spe_e3 "), Some("Microsoft 365 E3"));
    }

    #[test]
    fn every_demo_part_number_is_named() {
        let missing: Vec<&&str> = DEMO_PARTS.iter().filter(|p| friendly_name(p).is_none()).collect();
        assert!(missing.is_empty(), "no friendly name for {missing:?}");
    }

    #[test]
    fn the_table_is_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for (part, name) in entries() {
            assert!(!part.is_empty() && !name.is_empty(), "{part:?},{name:?}");
            assert!(
                part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "odd part number {part:?}"
            );
            assert!(seen.insert(part.to_ascii_uppercase()), "{part} twice");
        }
        assert!(seen.len() >= 60, "{} entries", seen.len());
        // A data line without a comma would be skipped silently: none is.
        let lines = TABLE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        assert_eq!(lines.count(), seen.len());
    }
}
