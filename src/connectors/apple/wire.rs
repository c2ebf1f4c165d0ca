//! Apple's JSON records to the domain's: liberal in what is accepted
//! (unknown fields, numbers as strings, missing counts).

use serde_json::Value;

use crate::domain::apple::{
    AppMetadata, AppleAsset, AppleAssignment, AppleEventStatus, AppleHolder, AppleLocation, AppleManager,
    AppleUser, AppleUserStatus, AssetKind,
};

/// `totalCount` of an unlimited (free) asset.
const UNLIMITED: i64 = 2_147_483_647;

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_str()?.trim().parse().ok())
}

/// `GET /client/config`.
pub(super) fn location(json: &Value) -> AppleLocation {
    let mdm = &json["mdmInfo"];
    let manager = text(&mdm["id"]).map(|id| AppleManager {
        name: text(&mdm["name"]).unwrap_or_else(|| id.clone()),
        id,
    });
    AppleLocation {
        uid: text(&json["uId"]).unwrap_or_default(),
        name: text(&json["locationName"]).unwrap_or_default(),
        country: text(&json["countryISO2ACode"]),
        token_expires: text(&json["tokenExpirationDate"]).map(|d| rfc3339(&d)),
        manager,
    }
}

/// An Apple date as RFC 3339 (left as it is when it is not a date).
pub(super) fn rfc3339(date: &str) -> String {
    super::parse_apple_date(date).map_or_else(|| date.to_owned(), |d| d.to_rfc3339())
}

/// One of `assets[]`; None without an `adamId`.
pub(super) fn asset(json: &Value) -> Option<AppleAsset> {
    let adam_id = text(&json["adamId"])?;
    let kind = match json["productType"].as_str() {
        Some(k) if k.eq_ignore_ascii_case("book") => AssetKind::Book,
        _ => AssetKind::App,
    };
    let total = number(&json["totalCount"]);
    let assigned = number(&json["assignedCount"]).unwrap_or(0);
    let unlimited = total.is_none_or(|t| t >= UNLIMITED);
    Some(AppleAsset {
        adam_id,
        pricing: text(&json["pricingParam"]).unwrap_or_else(|| "STDQ".to_owned()),
        kind,
        total: if unlimited { None } else { total },
        assigned,
        available: number(&json["availableCount"])
            .unwrap_or_else(|| total.map_or(0, |t| (t - assigned).max(0))),
        retired: number(&json["retiredCount"]).unwrap_or(0),
        device_assignable: json["deviceAssignable"].as_bool().unwrap_or(false),
        revocable: json["revocable"].as_bool().unwrap_or(false),
        platforms: json["supportedPlatforms"]
            .as_array()
            .map(|p| p.iter().filter_map(text).collect())
            .unwrap_or_default(),
    })
}

/// One of `users[]`; None without a `clientUserId` or with an unknown
/// status.
pub(super) fn user(json: &Value) -> Option<AppleUser> {
    let status = match json["status"].as_str()? {
        "Registered" => AppleUserStatus::Registered,
        "Associated" => AppleUserStatus::Associated,
        "Retired" => AppleUserStatus::Retired,
        "Deleted" => AppleUserStatus::Deleted,
        _ => return None,
    };
    Some(AppleUser {
        client_user_id: text(&json["clientUserId"])?,
        email: text(&json["email"]),
        status,
        invite_code: text(&json["inviteCode"]),
    })
}

/// One of `assignments[]`; None without an `adamId` or a holder.
pub(super) fn assignment(json: &Value) -> Option<AppleAssignment> {
    let holder = match (text(&json["clientUserId"]), text(&json["serialNumber"])) {
        (Some(user), _) => AppleHolder::User(user),
        (None, Some(serial)) => AppleHolder::Device(serial),
        (None, None) => return None,
    };
    Some(AppleAssignment {
        adam_id: text(&json["adamId"])?,
        pricing: text(&json["pricingParam"]).unwrap_or_else(|| "STDQ".to_owned()),
        holder,
    })
}

/// `GET /status`.
pub(super) fn event_status(json: &Value) -> Option<AppleEventStatus> {
    match json["eventStatus"].as_str()? {
        "PENDING" => Some(AppleEventStatus::Pending),
        "COMPLETE" => Some(AppleEventStatus::Complete),
        "FAILED" => {
            let failures = json["failures"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|e| {
                            let number = number(&e["errorNumber"]).unwrap_or(0);
                            (number, text(&e["errorMessage"]).unwrap_or_default())
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(AppleEventStatus::Failed(failures))
        }
        _ => None,
    }
}

/// One of the lookup service's `results[]`.
pub(super) fn metadata(json: &Value) -> Option<AppMetadata> {
    Some(AppMetadata {
        adam_id: text(&json["trackId"])?,
        name: text(&json["trackName"])?,
        publisher: text(&json["artistName"]),
        bundle_id: text(&json["bundleId"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn free_assets_are_unlimited_and_odd_numbers_are_read() {
        let free = asset(
            &json!({"adamId": 361285480, "productType": "App", "totalCount": 2147483647,
            "assignedCount": "3", "availableCount": 2147483644, "extra": true}),
        )
        .unwrap();
        assert_eq!(
            (free.adam_id.as_str(), free.total, free.assigned),
            ("361285480", None, 3)
        );
        assert!(asset(&json!({"productType": "App"})).is_none());
        let book = asset(&json!({"adamId": "1", "productType": "Book", "totalCount": 5, "assignedCount": 2}))
            .unwrap();
        assert_eq!(
            (book.kind, book.total, book.available),
            (AssetKind::Book, Some(5), 3)
        );
    }

    #[test]
    fn failures_keep_their_numbers() {
        let failed = event_status(
            &json!({"eventStatus": "FAILED", "failures": [{"errorNumber": 9709,
            "errorMessage": "Not enough"}]}),
        );
        assert_eq!(
            failed,
            Some(AppleEventStatus::Failed(vec![(9709, "Not enough".into())]))
        );
        assert_eq!(event_status(&json!({"eventStatus": "WHAT"})), None);
    }
}
