//! Graph's JSON objects and how they become the records of
//! `domain::source`. Parsing is tolerant: unknown fields are ignored,
//! optional ones may be missing or null, `error` may be null or "None";
//! only what a record cannot do without (an id, a UPN) is required.

use serde::Deserialize;
use serde_json::Value;

use super::whole::{ItemError, ParsedPage, typed_page};
use crate::domain::source::{
    LicenseState, SkuCapability, SourceGroup, SourceLicense, SourceMember, SourceOrganization, SourceSku,
    SourceUser, UserChange,
};

/// Turns one item of a page into a record; `Ok(None)` skips it.
pub(crate) type ParseItem<T> = fn(Value) -> Result<Option<T>, String>;

fn from_value<W: for<'de> Deserialize<'de>>(item: Value) -> Result<W, String> {
    serde_json::from_value(item).map_err(|err| err.to_string())
}

/// A page of `GET /users/delta`, read whole.
pub(crate) fn user_change_page(body: &[u8]) -> Option<Result<ParsedPage<UserChange>, ItemError>> {
    typed_page(body, user_change_record)
}

/// A page of `GET /groups/{id}/members`, read whole.
pub(crate) fn member_page(body: &[u8]) -> Option<Result<ParsedPage<SourceMember>, ItemError>> {
    typed_page(body, member_record)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserWire {
    id: String,
    user_principal_name: Option<String>,
    display_name: Option<String>,
    account_enabled: Option<bool>,
    department: Option<String>,
    usage_location: Option<String>,
    assigned_licenses: Option<Vec<AssignedLicenseWire>>,
    license_assignment_states: Option<Vec<AssignmentStateWire>>,
    sign_in_activity: Option<SignInWire>,
    #[serde(rename = "@removed")]
    removed: Option<RemovedWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignedLicenseWire {
    sku_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentStateWire {
    sku_id: String,
    assigned_by_group: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInWire {
    last_sign_in_date_time: Option<String>,
    last_non_interactive_sign_in_date_time: Option<String>,
}

#[derive(Deserialize)]
struct RemovedWire {
    reason: Option<String>,
}

/// A user of `GET /users`.
pub(crate) fn user(item: Value) -> Result<Option<SourceUser>, String> {
    let wire: UserWire = from_value(item)?;
    user_record(wire).map(Some)
}

/// An entry of `GET /users/delta`: a user, or `@removed`.
pub(crate) fn user_change(item: Value) -> Result<Option<UserChange>, String> {
    user_change_record(from_value(item)?)
}

fn user_change_record(wire: UserWire) -> Result<Option<UserChange>, String> {
    if let Some(removed) = &wire.removed {
        return Ok(Some(UserChange::Removed {
            source_id: wire.id,
            // "changed" is a soft delete (restorable for 30 days).
            permanent: removed.reason.as_deref() == Some("deleted"),
        }));
    }
    user_record(wire).map(|u| Some(UserChange::Upsert(u)))
}

fn user_record(wire: UserWire) -> Result<SourceUser, String> {
    let upn = wire
        .user_principal_name
        .filter(|u| !u.is_empty())
        .ok_or_else(|| format!("user {} has no userPrincipalName", wire.id))?;
    let licenses = match (wire.license_assignment_states, wire.assigned_licenses) {
        (Some(states), _) => states.into_iter().map(license).collect(),
        // Without the states, the assigned SKUs are known only as held.
        (None, Some(assigned)) => assigned
            .into_iter()
            .map(|a| SourceLicense {
                sku_id: a.sku_id,
                via_group: None,
                state: LicenseState::Active,
                error: None,
            })
            .collect(),
        (None, None) => Vec::new(),
    };
    Ok(SourceUser {
        source_id: wire.id,
        upn,
        display_name: wire.display_name.unwrap_or_default(),
        // Graph leaves it null for a few system accounts; they can sign in.
        enabled: wire.account_enabled.unwrap_or(true),
        department: wire.department.filter(|d| !d.is_empty()),
        usage_location: wire.usage_location.filter(|l| !l.is_empty()),
        last_sign_in: wire.sign_in_activity.and_then(last_sign_in),
        licenses,
    })
}

fn license(wire: AssignmentStateWire) -> SourceLicense {
    // The live service says "None" where the documentation says null.
    let error = wire
        .error
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("none"));
    let state = match wire.state.as_deref() {
        Some("Active") => LicenseState::Active,
        Some("ActiveWithError") => LicenseState::ActiveWithError,
        Some("Disabled") => LicenseState::Disabled,
        Some("Error") => LicenseState::Error,
        // A state this version does not know: judged by the error.
        _ if error.is_some() => LicenseState::Error,
        _ => LicenseState::Active,
    };
    SourceLicense {
        sku_id: wire.sku_id,
        via_group: wire.assigned_by_group.filter(|g| !g.is_empty()),
        state,
        error,
    }
}

/// The later of the interactive and non-interactive sign-ins.
fn last_sign_in(activity: SignInWire) -> Option<String> {
    let parse = |s: &String| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| (d, s.clone()))
    };
    let times = [
        activity.last_sign_in_date_time.as_ref().and_then(parse),
        activity
            .last_non_interactive_sign_in_date_time
            .as_ref()
            .and_then(parse),
    ];
    times
        .into_iter()
        .flatten()
        .max_by_key(|(at, _)| *at)
        .map(|(_, s)| s)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SkuWire {
    sku_id: String,
    sku_part_number: Option<String>,
    applies_to: Option<String>,
    capability_status: Option<String>,
    consumed_units: Option<i64>,
    prepaid_units: Option<UnitsWire>,
}

#[derive(Deserialize, Default)]
struct UnitsWire {
    enabled: Option<i64>,
    warning: Option<i64>,
}

/// A subscribedSku.
pub(crate) fn sku(item: Value) -> Result<Option<SourceSku>, String> {
    let wire: SkuWire = from_value(item)?;
    let units = wire.prepaid_units.unwrap_or_default();
    let capability = match wire.capability_status.as_deref() {
        Some("Enabled") => SkuCapability::Enabled,
        Some("Suspended") => SkuCapability::Suspended,
        Some("LockedOut") => SkuCapability::LockedOut,
        Some("Deleted") => SkuCapability::Deleted,
        // "Warning", or a status this version does not know: shown as
        // needing attention, still usable.
        _ => SkuCapability::Warning,
    };
    Ok(Some(SourceSku {
        part_number: wire.sku_part_number.unwrap_or_else(|| wire.sku_id.clone()),
        sku_id: wire.sku_id,
        assignable: wire.applies_to.is_some_and(|a| a.eq_ignore_ascii_case("User")),
        capability,
        enabled_units: units.enabled.unwrap_or(0),
        warning_units: units.warning.unwrap_or(0),
        consumed_units: wire.consumed_units.unwrap_or(0),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupWire {
    id: String,
    display_name: Option<String>,
    assigned_licenses: Option<Vec<AssignedLicenseWire>>,
}

/// A group with the licenses assigned to it.
pub(crate) fn group(item: Value) -> Result<Option<SourceGroup>, String> {
    let wire: GroupWire = from_value(item)?;
    Ok(Some(SourceGroup {
        source_id: wire.id,
        name: wire.display_name.unwrap_or_default(),
        licenses: wire
            .assigned_licenses
            .unwrap_or_default()
            .into_iter()
            .map(|l| l.sku_id)
            .collect(),
    }))
}

#[derive(Deserialize)]
struct MemberWire {
    id: String,
    #[serde(rename = "@odata.type")]
    kind: Option<String>,
}

/// A direct member; members that hold no seats (contacts, service
/// principals) are skipped.
pub(crate) fn member(item: Value) -> Result<Option<SourceMember>, String> {
    member_record(from_value(item)?)
}

fn member_record(wire: MemberWire) -> Result<Option<SourceMember>, String> {
    let kind = wire
        .kind
        .ok_or_else(|| format!("member {} has no @odata.type", wire.id))?;
    Ok(match kind.trim_start_matches('#') {
        "microsoft.graph.user" => Some(SourceMember::User(wire.id)),
        "microsoft.graph.group" => Some(SourceMember::Group(wire.id)),
        "microsoft.graph.device" => Some(SourceMember::Device(wire.id)),
        _ => None,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrganizationWire {
    id: String,
    display_name: Option<String>,
    verified_domains: Option<Vec<DomainWire>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DomainWire {
    name: Option<String>,
    is_default: Option<bool>,
}

/// The organization (the first of `GET /organization`'s one-item list).
pub(crate) fn organization(item: Value) -> Result<Option<SourceOrganization>, String> {
    let wire: OrganizationWire = from_value(item)?;
    let default_domain = wire
        .verified_domains
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.is_default == Some(true))
        .and_then(|d| d.name);
    Ok(Some(SourceOrganization {
        name: wire.display_name.unwrap_or_else(|| wire.id.clone()),
        source_id: wire.id,
        default_domain,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn users_are_read_tolerantly() {
        let full = json!({
            "id": "u1", "userPrincipalName": "ann@x.example", "displayName": "Ann", "accountEnabled": false,
            "department": "Sales", "usageLocation": "FR", "shoeSize": 42,
            "assignedLicenses": [{"skuId": "s1", "disabledPlans": []}],
            "licenseAssignmentStates": [
                {"skuId": "s1", "assignedByGroup": null, "state": "Active", "error": "None", "disabledPlans": []},
                {"skuId": "s2", "assignedByGroup": "g1", "state": "Error", "error": "CountViolation"},
                {"skuId": "s3", "state": "Active", "error": null},
            ],
            "signInActivity": {"lastSignInDateTime": "2025-01-02T03:04:05Z",
                               "lastNonInteractiveSignInDateTime": "2025-03-01T00:00:00Z"},
        });
        let ann = user_record_of(full);
        assert!(!ann.enabled);
        assert_eq!(ann.usage_location.as_deref(), Some("FR"));
        assert_eq!(ann.last_sign_in.as_deref(), Some("2025-03-01T00:00:00Z"));
        let errors: Vec<_> = ann.licenses.iter().map(|l| l.error.as_deref()).collect();
        assert_eq!(errors, [None, Some("CountViolation"), None]);
        assert_eq!(ann.licenses[1].via_group.as_deref(), Some("g1"));
        assert_eq!(ann.licenses[1].state, LicenseState::Error);

        let bare =
            user_record_of(json!({"id": "u2", "userPrincipalName": "bo@x.example", "displayName": null}));
        assert_eq!((bare.display_name.as_str(), bare.enabled), ("", true));
        assert!(bare.licenses.is_empty() && bare.last_sign_in.is_none());

        let only_assigned = user_record_of(json!({"id": "u3", "userPrincipalName": "cy@x.example",
            "assignedLicenses": [{"skuId": "s9"}]}));
        assert_eq!(only_assigned.licenses[0].sku_id, "s9");

        let err = user(json!({"id": "u4"})).unwrap_err();
        assert!(err.contains("u4") && err.contains("userPrincipalName"), "{err}");
        assert!(
            user(json!({"userPrincipalName": "x"}))
                .unwrap_err()
                .contains("id")
        );
    }

    fn user_record_of(value: Value) -> SourceUser {
        user(value).unwrap().unwrap()
    }

    #[test]
    fn delta_entries_tell_soft_from_permanent_removal() {
        let soft = user_change(json!({"id": "a", "@removed": {"reason": "changed"}})).unwrap();
        assert_eq!(
            soft,
            Some(UserChange::Removed {
                source_id: "a".into(),
                permanent: false
            })
        );
        let gone = user_change(json!({"id": "b", "@removed": {"reason": "deleted"}})).unwrap();
        assert!(matches!(gone, Some(UserChange::Removed { permanent: true, .. })));
        let changed = user_change(json!({"id": "c", "userPrincipalName": "c@x.example"})).unwrap();
        assert!(matches!(changed, Some(UserChange::Upsert(u)) if u.upn == "c@x.example"));
    }

    #[test]
    fn skus_groups_and_members_map_to_records() {
        let s = sku(json!({"skuId": "s", "skuPartNumber": "EMS", "appliesTo": "User",
            "capabilityStatus": "Suspended", "consumedUnits": 7,
            "prepaidUnits": {"enabled": 5, "warning": 2, "suspended": 1, "lockedOut": 0}}))
        .unwrap()
        .unwrap();
        assert_eq!(
            (
                s.assignable,
                s.capability,
                s.enabled_units,
                s.warning_units,
                s.consumed_units
            ),
            (true, SkuCapability::Suspended, 5, 2, 7)
        );
        let company = sku(json!({"skuId": "c", "skuPartNumber": "MCOPSTNC", "appliesTo": "Company"}))
            .unwrap()
            .unwrap();
        assert!(!company.assignable && company.enabled_units == 0);

        let g = group(json!({"id": "g", "displayName": "Sales", "assignedLicenses": [{"skuId": "s"}]}))
            .unwrap()
            .unwrap();
        assert_eq!(g.licenses, ["s"]);
        assert_eq!(
            member(json!({"@odata.type": "#microsoft.graph.device", "id": "d"})).unwrap(),
            Some(SourceMember::Device("d".into()))
        );
        assert_eq!(
            member(json!({"@odata.type": "#microsoft.graph.orgContact", "id": "o"})).unwrap(),
            None
        );
        assert!(member(json!({"id": "x"})).is_err());
    }
}
