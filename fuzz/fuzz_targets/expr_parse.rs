//! The --match parser: never panics; an error's column lies within the
//! expression (1 to its length + 1); an accepted expression evaluates
//! without panicking on a few records.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spitzel_core::doc::DocParser;
use spitzel_core::expr::Expression;

const RECORDS: [&[u8]; 3] = [
    br#"{"eventName":"GetObject","n":1,"s":"aaa!","a":[1,2.5,"x",null,{"k":[true]}],"o":{"p":{"q":123456789012345678901234567890}},"big":1e400}"#,
    br#"{"a":{"a":{"a":{"a":[[[[1]]]]}}},"b":"\u00e9\n"}"#,
    br#"{}"#,
];

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match Expression::parse(src) {
        Err(error) => {
            let chars = src.chars().count();
            assert!(
                (1..=chars + 1).contains(&error.column),
                "column {} outside 1..={} for {src:?}: {}",
                error.column,
                chars + 1,
                error.message
            );
            assert!(!error.message.contains('\n'), "{:?}", error.message);
        }
        Ok(expression) => {
            let mut parser = DocParser::new();
            for record in RECORDS {
                let doc = parser.parse(record).expect("fixture records are valid");
                let _ = expression.eval(&doc);
            }
        }
    }
});
