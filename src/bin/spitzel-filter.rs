use clap::Parser;
use spitzel::cli::filter::FilterArgs;

fn main() {
    let args = FilterArgs::parse();
    std::process::exit(spitzel::app::run(args));
}
