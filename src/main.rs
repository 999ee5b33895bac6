//! The `textkg` command line: argument parsing and glue, nothing else.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
