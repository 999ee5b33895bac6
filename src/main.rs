//! The `textkg` command line: argument parsing and glue, nothing else.

mod cli;

// The pipeline allocates many small strings (tokens, IRIs, quads) across
// threads; mimalloc measured markedly faster than the system allocator here
// (see models/README.md, Speed).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
