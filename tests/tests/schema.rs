//! `schema.graphql` is the schema the code builds; the generated clients are checked against
//! it at compile time, so drift fails here or in the build.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use clubgrid_api::export_sdl;

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let on_disk = std::fs::read_to_string(path).expect("schema.graphql at the repository root");
    let built = export_sdl();
    if on_disk != built {
        let line = on_disk
            .lines()
            .zip(built.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| on_disk.lines().count().min(built.lines().count()));
        panic!(
            "schema.graphql is stale (first difference at line {}); regenerate it with \
             `cargo run -p clubgrid-api --bin clubgrid -- export-schema > schema.graphql`",
            line + 1
        );
    }
}
