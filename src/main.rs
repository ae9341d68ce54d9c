//! The `slipstream` command. Thin on purpose: [`cli`] parses the command line, hands a
//! validated configuration to the library and maps errors to exit codes.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
