//! Reading a page of a large collection whole, straight into records
//! (issue 11): the typed reader of each resource (`wire`) over the page's
//! `value`, without the tree of JSON values the item-by-item reader builds
//! first. The tolerant reader stays the authority: any page the typed one
//! cannot take is read item by item, with the same records and the same
//! errors.

use serde::Deserialize;

/// Reads a whole page straight into records, for the large collections
/// (users, members, managed devices): without a tree of JSON values for
/// each item first, whose allocation and freeing were the largest part of
/// the client's per-page work outside SQLite (perf at 100k users). `None` when the page is not what the typed reader
/// expects (not JSON, a field of another type…): [`Pages`] then reads it
/// the tolerant way, item by item, and says what is wrong.
///
/// [`Pages`]: super::Pages
pub(crate) type ParsePage<T> = fn(&[u8]) -> Option<Result<ParsedPage<T>, ItemError>>;

/// An item that cannot become a record: its index in the page and why.
pub(crate) type ItemError = (usize, String);

/// A page read by a [`ParsePage`]: the records (skipped items left out)
/// and its links.
pub(crate) struct ParsedPage<T> {
    pub items: Vec<T>,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
}

#[derive(Deserialize)]
struct TypedPage<W> {
    value: Vec<W>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink")]
    delta_link: Option<String>,
}

pub(crate) fn typed_page<W: for<'de> Deserialize<'de>, T>(
    body: &[u8],
    record: fn(W) -> Result<Option<T>, String>,
) -> Option<Result<ParsedPage<T>, ItemError>> {
    let page: TypedPage<W> = serde_json::from_slice(body).ok()?;
    let mut items = Vec::with_capacity(page.value.len());
    for (index, wire) in page.value.into_iter().enumerate() {
        match record(wire) {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {}
            Err(why) => return Some(Err((index, why))),
        }
    }
    Some(Ok(ParsedPage {
        items,
        next_link: page.next_link,
        delta_link: page.delta_link,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::wire::{member, member_page, user_change, user_change_page};
    use super::*;

    /// The records of a page read item by item, or the first item's error.
    fn by_item<T>(body: &str, parse: fn(Value) -> Result<Option<T>, String>) -> Result<Vec<T>, ItemError> {
        let page: Value = serde_json::from_str(body).unwrap();
        let mut out = Vec::new();
        for (index, item) in page["value"].as_array().unwrap().iter().enumerate() {
            match parse(item.clone()) {
                Ok(Some(record)) => out.push(record),
                Ok(None) => {}
                Err(why) => return Err((index, why)),
            }
        }
        Ok(out)
    }

    const USERS: &str = r#"{"@odata.context":"x","value":[
        {"id":"u1","userPrincipalName":"a@x.test","displayName":"A B","accountEnabled":false,"department":"",
         "usageLocation":"FR","someNewField":{"deep":[1,2]},"assignedLicenses":[{"skuId":"s1","disabledPlans":[]}],
         "licenseAssignmentStates":[{"skuId":"s1","assignedByGroup":null,"state":"Active","error":"None"},
                                    {"skuId":"s1","assignedByGroup":"g1","state":"Error","error":"CountViolation"}],
         "signInActivity":{"lastSignInDateTime":"2026-01-02T03:04:05Z","lastNonInteractiveSignInDateTime":null}},
        {"id":"u2","@removed":{"reason":"deleted"}},
        {"id":"u3","@removed":{"reason":"changed"}},
        {"id":"u4","userPrincipalName":"d@x.test"}],
        "@odata.nextLink":"http://h/next"}"#;

    #[test]
    fn a_page_read_whole_gives_the_records_read_item_by_item() {
        let whole = user_change_page(USERS.as_bytes()).unwrap().unwrap();
        assert_eq!(whole.items, by_item(USERS, user_change).unwrap());
        assert_eq!(whole.items.len(), 4);
        assert_eq!(whole.next_link.as_deref(), Some("http://h/next"));
        assert_eq!(whole.delta_link, None);

        let members = r##"{"value":[{"@odata.type":"#microsoft.graph.user","id":"m1","mail":null},
            {"@odata.type":"#microsoft.graph.orgContact","id":"c1"},
            {"@odata.type":"#microsoft.graph.device","id":"d1"}],"@odata.deltaLink":"http://h/d"}"##;
        let whole = member_page(members.as_bytes()).unwrap().unwrap();
        assert_eq!(whole.items, by_item(members, member).unwrap());
        assert_eq!(whole.items.len(), 2, "the contact is skipped");
        assert_eq!(whole.delta_link.as_deref(), Some("http://h/d"));
    }

    #[test]
    fn an_item_without_what_a_record_needs_is_named_as_item_by_item() {
        let body =
            r#"{"value":[{"id":"u1","userPrincipalName":"a@x.test"},{"id":"u2","displayName":"no UPN"}]}"#;
        let whole = user_change_page(body.as_bytes()).unwrap().err().unwrap();
        assert_eq!(whole, by_item(body, user_change).err().unwrap());
        assert_eq!(whole.0, 1);
    }

    #[test]
    fn a_page_the_typed_reader_cannot_take_is_left_to_the_tolerant_one() {
        // A field of another type, an item that is no object, no list, not JSON.
        for body in [
            r#"{"value":[{"id":"u1","userPrincipalName":"a@x.test","accountEnabled":"yes"}]}"#,
            r#"{"value":["u1"]}"#,
            r#"{"value":{"0":{}}}"#,
            "<html>",
        ] {
            assert!(user_change_page(body.as_bytes()).is_none(), "{body}");
        }
    }
}
