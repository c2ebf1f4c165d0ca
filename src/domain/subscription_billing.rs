//! A billing profile entered by hand (R-SUB-6): a card is kept as its last
//! four digits only, so anything that looks like more of a card number is
//! refused before it can reach the cache; the rest is what an invoice needs.

/// The roles a profile may name as those that change it.
pub const ROLES: &[&str] = &["global", "license", "user"];

/// A profile as the form gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileEntry {
    /// The profile being edited; None adds one.
    pub id: Option<i64>,
    pub name: String,
    /// credit_card or check_wire.
    pub payment_method: String,
    pub card_last4: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub address: String,
    pub editable_by: Vec<String>,
}

/// The last four digits of a card, or why `text` is refused. Spaces and
/// dashes are ignored; more than four digits is refused and never kept.
pub fn card_last4(text: &str) -> Result<String, String> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("is not digits: type the card's last four digits".to_owned());
    }
    match digits.len() {
        4 => Ok(digits),
        n if n > 4 => Err(format!(
            "has {n} digits: only a card's last four are recorded, never its number; type those four"
        )),
        _ => Err("needs the card's last four digits".to_owned()),
    }
}

/// The raw texts of the form: (field, text).
pub struct ProfileTexts<'a> {
    pub id: Option<i64>,
    pub name: &'a str,
    /// "card" or "check/wire".
    pub method: &'a str,
    pub last4: &'a str,
    pub contact_name: &'a str,
    pub contact_email: &'a str,
    pub address: &'a str,
    /// Comma-separated roles.
    pub roles: &'a str,
}

/// Checks a profile; Err: every problem as (field, why).
pub fn check_profile(t: &ProfileTexts<'_>) -> Result<ProfileEntry, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let mut required = |field: &'static str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            problems.push((field, "is empty; it is required".to_owned()));
        }
        text.to_owned()
    };
    let name = required("name", t.name);
    let contact_name = required("contact", t.contact_name);
    let contact_email = required("email", t.contact_email);
    let address = required("address", t.address);
    if !contact_email.is_empty() && !contact_email.contains('@') {
        problems.push(("email", format!("{contact_email:?} is not an e-mail address")));
    }
    let card = t.method == "card";
    let card_last4 = if card {
        card_last4(t.last4)
            .map_err(|why| problems.push(("card", why)))
            .ok()
    } else {
        None
    };
    let editable_by: Vec<String> = t
        .roles
        .split(',')
        .map(|r| r.trim().to_ascii_lowercase())
        .filter(|r| !r.is_empty())
        .collect();
    if editable_by.is_empty() {
        problems.push((
            "roles",
            format!("is empty; name one or more of {}", ROLES.join(", ")),
        ));
    }
    for role in &editable_by {
        if !ROLES.contains(&role.as_str()) {
            problems.push(("roles", format!("{role:?} is not one of {}", ROLES.join(", "))));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ProfileEntry {
        id: t.id,
        name,
        payment_method: if card { "credit_card" } else { "check_wire" }.to_owned(),
        card_last4,
        contact_name,
        contact_email,
        address,
        editable_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_card_number_is_refused_with_the_reason() {
        let why = card_last4("4242 4242 4242 4242").unwrap_err();
        assert!(why.contains("16 digits") && why.contains("last four"), "{why}");
        assert_eq!(card_last4("4242").unwrap(), "4242");
        assert!(card_last4("42").is_err());
        assert!(card_last4("42a2").is_err());
    }

    fn texts<'a>(method: &'a str, last4: &'a str, roles: &'a str) -> ProfileTexts<'a> {
        ProfileTexts {
            id: None,
            name: "Finance",
            method,
            last4,
            contact_name: "Ana",
            contact_email: "ana@example.com",
            address: "1 Main St",
            roles,
        }
    }

    #[test]
    fn a_profile_is_checked_field_by_field() {
        let ok = check_profile(&texts("card", "1234", "global, License")).unwrap();
        assert_eq!(ok.card_last4.as_deref(), Some("1234"));
        assert_eq!(ok.editable_by, ["global", "license"]);
        let wire = check_profile(&texts("check/wire", "ignored", "global")).unwrap();
        assert_eq!(
            (wire.payment_method.as_str(), wire.card_last4),
            ("check_wire", None)
        );
        let bad = check_profile(&texts("card", "1234567812345678", "owner")).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["card", "roles"]);
    }
}
