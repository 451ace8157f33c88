//! Tells utoipa that every typed id of `src/ids.rs` is a `uuid::Uuid`, so the OpenAPI document
//! shows `string, format uuid` wherever one appears (fields, parameters, arrays).

use std::fs;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/ids.rs");
    let source = match fs::read_to_string("src/ids.rs") {
        Ok(source) => source,
        Err(error) => panic!("build.rs reads src/ids.rs: {error}"),
    };
    // The list is the body of the last `typed_ids! { … }`: one `Name,` per line.
    let list = source.rsplit("typed_ids! {").next().unwrap_or_default();
    let names: Vec<&str> = list
        .lines()
        .map(str::trim)
        .take_while(|line| *line != "}")
        .filter_map(|line| line.strip_suffix(','))
        .filter(|name| name.ends_with("Id") && name.chars().all(char::is_alphanumeric))
        .collect();
    assert!(
        !names.is_empty(),
        "build.rs found no typed ids in src/ids.rs"
    );
    let mut config = utoipa_config::Config::new();
    for name in names {
        config = config.alias_for(name, "uuid::Uuid");
    }
    config.write_to_file();
}
