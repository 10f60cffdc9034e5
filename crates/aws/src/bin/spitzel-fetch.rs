//! spitzel-fetch: CloudTrail events (LookupEvents or a trail bucket) to
//! NDJSON. See `spitzel-fetch --help`.

use clap::Parser;
use clap::error::ErrorKind;

fn main() -> std::process::ExitCode {
    let args = match spitzel_cli::fetch::FetchArgs::try_parse() {
        Ok(args) => args,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            // One line, like every other error of spitzel-fetch: clap's
            // first line and its tip, without the usage and the footer.
            eprintln!("spitzel-fetch: {}", one_line(&e.to_string()));
            return std::process::ExitCode::from(2);
        }
    };
    spitzel_aws::run(args).into()
}

fn one_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut line = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    // "the following required arguments were not provided:" lists them on
    // the lines after it, up to the usage.
    let listed = line.ends_with(':');
    for rest in lines.take_while(|l| !l.starts_with("Usage:")) {
        if let Some(tip) = rest.strip_prefix("tip: ") {
            line.push_str(&format!(" ({tip})"));
        } else if listed {
            line.push(' ');
            line.push_str(rest);
        }
    }
    line
}
