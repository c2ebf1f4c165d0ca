//! The store's JSON read liberally: field names in any case (Microsoft's
//! own pages spell them `Seats` and `seats`), numbers as numbers or
//! strings, unknown fields ignored, an entry without its key skipped.

use serde_json::Value;

use crate::domain::store_business::{
    DistributionPolicy, InventoryEntry, InventoryStatus, LocalizedDetails, OfflineLicense, PackageInfo,
    ProductKey, SeatState, StoreLicenseType, StoreSeat, is_encrypted_format,
};

/// A field of an object by name, any case.
pub(crate) fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A non-empty string field.
pub(crate) fn text(value: &Value, name: &str) -> Option<String> {
    field(value, name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn number(value: &Value, name: &str) -> Option<i64> {
    let found = field(value, name)?;
    found
        .as_i64()
        .or_else(|| found.as_f64().map(|f| f as i64))
        .or_else(|| found.as_str().and_then(|s| s.trim().parse().ok()))
}

/// The items of a collection field; None when it is there but not a list.
pub(crate) fn items<'a>(value: &'a Value, name: &str) -> Option<&'a [Value]> {
    match field(value, name) {
        None | Some(Value::Null) => Some(&[]),
        Some(Value::Array(items)) => Some(items),
        Some(_) => None,
    }
}

pub(crate) fn product_key(value: &Value) -> Option<ProductKey> {
    let key = field(value, "productKey")?;
    Some(ProductKey::new(text(key, "productId")?, text(key, "skuId")?))
}

pub(crate) fn inventory_entry(value: &Value) -> Option<InventoryEntry> {
    let key = product_key(value)?;
    let license_type = match text(value, "licenseType")?.to_ascii_lowercase().as_str() {
        "online" => StoreLicenseType::Online,
        "offline" => StoreLicenseType::Offline,
        _ => return None,
    };
    // An unknown policy is taken as the bounded one: never promise seats.
    let distribution = match text(value, "distributionPolicy").map(|s| s.to_ascii_lowercase()) {
        Some(policy) if policy == "open" => DistributionPolicy::Open,
        _ => DistributionPolicy::Restricted,
    };
    let status = match text(value, "status").map(|s| s.to_ascii_lowercase()) {
        Some(status) if status == "removed" => InventoryStatus::Removed,
        _ => InventoryStatus::Active,
    };
    let seat_capacity = number(value, "seatCapacity").unwrap_or(0).max(0);
    Some(InventoryEntry {
        key,
        license_type,
        distribution,
        status,
        seat_capacity,
        available_seats: number(value, "availableSeats").unwrap_or(0).max(0),
        last_modified: text(value, "lastModified"),
    })
}

pub(crate) fn seat(value: &Value, fallback: Option<&ProductKey>) -> Option<StoreSeat> {
    let key = product_key(value).or_else(|| fallback.cloned())?;
    let state = match text(value, "state").map(|s| s.to_ascii_lowercase()) {
        Some(state) if state == "revoked" => SeatState::Revoked,
        _ => SeatState::Active,
    };
    Some(StoreSeat {
        key,
        assigned_to: text(value, "assignedTo")?,
        date_assigned: text(value, "dateAssigned"),
        state,
    })
}

pub(crate) fn localized(value: &Value, asked: &str) -> Option<LocalizedDetails> {
    let publisher = field(value, "publisher");
    Some(LocalizedDetails {
        language: text(value, "language").unwrap_or_else(|| asked.to_owned()),
        name: text(value, "displayName")?,
        description: text(value, "description"),
        publisher: publisher.and_then(|p| text(p, "publisherName")),
        publisher_website: publisher.and_then(|p| text(p, "publisherWebsite")),
    })
}

/// `productPackages[].packageFormat` (the app's own packages: framework
/// dependencies are Microsoft's, never the app's encryption).
pub(crate) fn packages(value: &Value) -> Option<PackageInfo> {
    let listed = items(value, "productPackages")?;
    let formats: Vec<String> = listed.iter().filter_map(|p| text(p, "packageFormat")).collect();
    let mut content_ids: Vec<String> = Vec::new();
    for id in listed.iter().filter_map(|p| text(p, "contentId")) {
        if !content_ids.contains(&id) {
            content_ids.push(id);
        }
    }
    let encrypted = formats.iter().any(|f| is_encrypted_format(f));
    Some(PackageInfo {
        formats,
        content_ids,
        encrypted,
    })
}

pub(crate) fn offline_license(value: &Value, key: &ProductKey, content_id: &str) -> Option<OfflineLicense> {
    Some(OfflineLicense {
        key: product_key(value).unwrap_or_else(|| key.clone()),
        content_id: text(value, "contentId").unwrap_or_else(|| content_id.to_owned()),
        license_blob: text(value, "licenseBlob")?,
        license_instance_id: text(value, "licenseInstanceId"),
        requestor_id: text(value, "requestorId"),
    })
}

/// `supportedLanguages`, or `supportedPlatforms[].platformName`.
pub(crate) fn strings(value: &Value, name: &str, inner: Option<&str>) -> Vec<String> {
    items(value, name)
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| match inner {
            Some(key) => text(item, key),
            None => item
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_are_read_in_any_case_and_odd_ones_skipped() {
        let entry = json!({
            "ProductKey": {"ProductId": "9ABC", "SkuId": "0010"},
            "SeatCapacity": "10", "availableSeats": 4, "licenseType": "online",
            "distributionPolicy": "Open", "status": "Active", "lastModified": "2026-01-01T00:00:00Z",
            "somethingNew": true,
        });
        let read = inventory_entry(&entry).unwrap();
        assert_eq!(read.key, ProductKey::new("9ABC", "0010"));
        assert_eq!(
            (read.seat_capacity, read.available_seats, read.used_seats()),
            (10, 4, 6)
        );
        assert_eq!(read.distribution, DistributionPolicy::Open);
        assert!(inventory_entry(&json!({"licenseType": "Online"})).is_none());
        let odd = json!({"productKey": {"productId": "9", "skuId": "1"}, "licenseType": "Perpetual"});
        assert!(inventory_entry(&odd).is_none());
    }

    #[test]
    fn encrypted_packages_are_found_in_any_package() {
        let set = json!({"productPackages": [
            {"packageFormat": "AppxBundle"},
            {"packageFormat": "EAppx", "frameworkDependencyPackages": [{"packageFormat": "Appx"}]},
        ]});
        let read = packages(&set).unwrap();
        assert!(read.encrypted);
        assert_eq!(read.formats, ["AppxBundle", "EAppx"]);
        let framework = json!({"productPackages": [
            {"packageFormat": "Appx", "frameworkDependencyPackages": [{"packageFormat": "EAppx"}]},
        ]});
        assert!(!packages(&framework).unwrap().encrypted);
        assert!(!packages(&json!({"productPackages": []})).unwrap().encrypted);
        assert!(packages(&json!({"productPackages": {}})).is_none());
    }
}
