//! OData query options and paging: `$select`, `$top`, opaque skip and
//! delta tokens, and `@odata.nextLink` URLs that carry the original query.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::http::GraphError;

/// The decoded query string of a request, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        let pairs = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Query { pairs }
    }

    /// An option by name; `$select` also answers to `select` (Graph v1.0
    /// accepts both), case-insensitively.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let bare = name.trim_start_matches('$');
        self.pairs
            .iter()
            .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case(bare))
            .map(|(_, v)| v.as_str())
    }

    /// `$top`: `default` when absent; 400 outside 1..=`max`, as Graph.
    pub(crate) fn top(&self, default: usize, max: usize) -> Result<usize, GraphError> {
        let Some(text) = self.get("$top") else {
            return Ok(default);
        };
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(GraphError::new(
                400,
                "Request_UnsupportedQuery",
                format!("Invalid page size specified: '{text}'. Must be between 1 and {max} inclusive."),
            )),
        }
    }

    /// The properties `$select` names, each checked against `known` (Graph
    /// answers 400 for a property the type lacks); `default` without `$select`.
    pub(crate) fn select(
        &self,
        known: &[&'static str],
        default: &[&'static str],
        type_name: &str,
    ) -> Result<Vec<&'static str>, GraphError> {
        let Some(text) = self.get("$select") else {
            return Ok(default.to_vec());
        };
        parse_select(text, known, type_name)
    }

    /// The link to the next page: this request's path and query with
    /// `$skiptoken` replaced.
    pub(crate) fn next_link(&self, base: &str, path: &str, skiptoken: &str) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            if !k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken") {
                out.append_pair(k, v);
            }
        }
        out.append_pair("$skiptoken", skiptoken);
        format!("{base}{path}?{}", dollars(&out.finish()))
    }
}

/// `$select` text to known property names (in the type's spelling).
pub(crate) fn parse_select(
    text: &str,
    known: &[&'static str],
    type_name: &str,
) -> Result<Vec<&'static str>, GraphError> {
    let mut out: Vec<&'static str> = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let found = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                GraphError::bad_request(format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'."
                ))
            })?;
        if !out.contains(found) {
            out.push(found);
        }
    }
    Ok(out)
}

/// Keeps `$` readable in links, as Graph's links show it.
fn dollars(query: &str) -> String {
    query.replace("%24", "$")
}

/// An opaque token (base64url of JSON) for a skip or delta position.
pub(crate) fn encode_token(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The position in a token this simulator made; `None` for anything else.
pub(crate) fn decode_token(text: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// 400 for a skiptoken that is not one of ours.
pub(crate) fn bad_skiptoken() -> GraphError {
    GraphError::bad_request("The specified page token value has expired or is not valid.")
}

/// `{base}/v1.0/$metadata#what`, the `@odata.context` of an answer.
pub(crate) fn context(base: &str, what: &str) -> String {
    format!("{base}/v1.0/$metadata#{what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_is_bounded_like_graph() {
        let q = Query::parse(Some("$top=999"));
        assert_eq!(q.top(100, 999).unwrap(), 999);
        assert_eq!(Query::parse(None).top(100, 999).unwrap(), 100);
        let err = Query::parse(Some("$top=1000")).top(100, 999).unwrap_err();
        assert_eq!(err.status, 400);
        assert!(err.message.contains("'1000'"), "{}", err.message);
        assert!(Query::parse(Some("%24top=0")).top(100, 999).is_err());
    }

    #[test]
    fn select_checks_names_and_keeps_the_type_spelling() {
        let known = ["id", "displayName", "userPrincipalName"];
        let q = Query::parse(Some("$select=ID,displayname"));
        assert_eq!(
            q.select(&known, &["id"], "user").unwrap(),
            vec!["id", "displayName"]
        );
        let err = Query::parse(Some("$select=id,shoeSize"))
            .select(&known, &["id"], "user")
            .unwrap_err();
        assert!(err.message.contains("'shoeSize'"), "{}", err.message);
    }

    #[test]
    fn next_link_keeps_the_query_and_replaces_the_token() {
        let q = Query::parse(Some("$select=id,displayName&$top=5&$skiptoken=old"));
        let link = q.next_link("http://h", "/v1.0/users", "new");
        assert_eq!(
            link,
            "http://h/v1.0/users?$select=id%2CdisplayName&$top=5&$skiptoken=new"
        );
        let back = Query::parse(link.split_once('?').map(|(_, q)| q));
        assert_eq!(back.get("$select"), Some("id,displayName"));
        assert_eq!(back.get("$skiptoken"), Some("new"));
    }

    #[test]
    fn tokens_round_trip_and_refuse_garbage() {
        let token = encode_token(&serde_json::json!({"a": 5}));
        assert_eq!(decode_token(&token).unwrap()["a"], 5);
        assert!(decode_token("not a token!").is_none());
    }
}
