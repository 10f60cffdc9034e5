//! One run of spitzel-fetch: the options checked once, then the source
//! they name on a runtime of its own; its error, if any, printed as one
//! line.

use std::time::Duration;

use spitzel_cli::fetch::FetchArgs;

use crate::errors::{FetchError, SetupError};
use crate::exit::Exit;
use crate::options::{Options, Source};

/// Run spitzel-fetch; returns the exit status. Errors are printed here.
pub fn run(args: FetchArgs) -> Exit {
    let (options, source) = match Options::check(args, spitzel_core::window::now()) {
        Ok(checked) => checked,
        Err(err) => {
            eprintln!("spitzel-fetch: {err}");
            return err.exit();
        }
    };
    match source {
        Source::Lookup(lookup) => block_on(crate::lookup::fetch(options, lookup)),
        Source::S3(s3) => block_on(crate::s3::fetch(options, s3)),
    }
}

/// Run a fetch on its own runtime.
fn block_on(fetch: impl Future<Output = Result<Exit, FetchError>>) -> Exit {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let err = FetchError::from(SetupError::Runtime(e));
            eprintln!("spitzel-fetch: {err}");
            return err.exit();
        }
    };
    let outcome = runtime.block_on(fetch);
    // Do not wait for requests still hanging after an error or Ctrl-C.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match outcome {
        Ok(exit) => exit,
        Err(err) => {
            eprintln!("spitzel-fetch: {err}");
            err.exit()
        }
    }
}
