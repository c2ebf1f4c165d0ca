//! The `seats` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    seats::cli::main()
}
