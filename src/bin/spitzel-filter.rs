use clap::Parser;
use spitzel_cli::filter::FilterArgs;

fn main() -> std::process::ExitCode {
    let args = FilterArgs::parse();
    spitzel::run(args).into()
}
