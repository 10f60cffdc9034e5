use clap::Parser;
use spitzel::cli::filter::FilterArgs;

fn main() -> std::process::ExitCode {
    let args = FilterArgs::parse();
    spitzel::app::run(args).into()
}
