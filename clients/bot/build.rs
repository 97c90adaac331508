//! The bot's operations (`operations/*.graphql`), generated into typed Rust and checked against
//! `../../schema.graphql` by the same generator as `clients/rust`.

include!("../rust/codegen.rs");

fn main() {
    generate_operations();
}
