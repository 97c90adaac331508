use std::process::ExitCode;

fn main() -> ExitCode {
    clubgrid_api::cli::main()
}
