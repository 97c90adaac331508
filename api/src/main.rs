use std::process::ExitCode;

/// jemalloc with background threads hands freed memory back to the system, so the server
/// shrinks again after thousands of live screens leave; glibc's allocator kept it all (see the
/// `fanout-10k` bench).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    clubgrid_api::cli::main()
}
