//! The committed document must equal the generated one: regenerate it with
//! `cargo run -- openapi > openapi/openapi.json` after changing the API.

use std::collections::BTreeSet;

#[test]
fn the_committed_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = cit_api::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn only_the_public_operations_are_documented_without_bearer_security() {
    let document = cit_api::openapi::document();
    let mut public = BTreeSet::new();
    for (path, item) in &document.paths.paths {
        for (method, operation) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PATCH", &item.patch),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ] {
            let Some(operation) = operation else { continue };
            let listed = crate::access::PUBLIC.contains(&(method, path.as_str()));
            // Public: no security at all, or an empty requirement beside the bearer (a token
            // is optional and shows more, as on the partner directory).
            let open = operation.security.as_ref().is_none_or(|requirements| {
                requirements
                    .iter()
                    .any(|r| serde_json::to_value(r).unwrap() == serde_json::json!({}))
            });
            assert_eq!(
                open, listed,
                "{method} {path}: documented security and the public list disagree"
            );
            if listed {
                public.insert((method, path.clone()));
            }
        }
    }
    assert_eq!(
        public.len(),
        crate::access::PUBLIC.len(),
        "every entry of the public list is a documented operation"
    );
}
