//! Tells utoipa that every typed id of `src/ids.rs` is a `uuid::Uuid`, so the OpenAPI document
//! shows `string, format uuid` wherever one appears (fields, parameters, arrays). utoipa matches
//! an alias by the type's last name, so no other type may share an id's name. Also makes a new
//! migration rebuild the crate (see `main`).

use std::fs;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/ids.rs");
    // `embed_migrations!` reads the folder when the crate compiles, but cargo only watches the
    // files it included: a new migration must rebuild the crate too.
    println!("cargo::rerun-if-changed=migrations");
    let source = match fs::read_to_string("src/ids.rs") {
        Ok(source) => source,
        Err(error) => panic!("build.rs reads src/ids.rs: {error}"),
    };
    let mut config = utoipa_config::Config::new();
    for name in id_names(&source) {
        config = config.alias_for(name, "uuid::Uuid");
    }
    config.write_to_file();
}

/// The names in the one `typed_ids! { … }` invocation: each line is blank, a `///` doc line, an
/// attribute or `Name,`; anything else stops the build rather than skip a name unseen.
fn id_names(source: &str) -> Vec<&str> {
    let mut blocks = source.split("\ntyped_ids! {\n");
    let (Some(_), Some(block), None) = (blocks.next(), blocks.next(), blocks.next()) else {
        panic!("src/ids.rs must invoke `typed_ids! {{` exactly once, at the start of a line");
    };
    let mut names = Vec::new();
    for line in block.lines().map(str::trim) {
        if line == "}" {
            assert!(
                !names.is_empty(),
                "build.rs found no typed ids in src/ids.rs"
            );
            return names;
        }
        if line.is_empty() || line.starts_with("///") || line.starts_with("#[") {
            continue;
        }
        match line.strip_suffix(',') {
            Some(name)
                if name.ends_with("Id") && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                names.push(name);
            }
            _ => panic!("src/ids.rs: `{line}` in typed_ids! is not `NameId,`"),
        }
    }
    panic!("src/ids.rs: typed_ids! {{ is not closed by a line holding only `}}`");
}
