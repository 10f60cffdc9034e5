//! The match language on hostile input, through the real spitzel-filter:
//! an expression that cannot decide on a record reports the record (never
//! a silent verdict), numbers compare exactly, and errors are one clear
//! line with the right column.

use crate::util::run;
use spitzel_testsupport::{stderr, stdout};

/// Three records; the second defeats a backtracking regex.
fn regex_input() -> String {
    format!(
        "{}\n{}\n{}\n",
        r#"{"eventName":"A","s":"b"}"#,
        format_args!(r#"{{"eventName":"B","s":"{}!"}}"#, "a".repeat(25)),
        r#"{"eventName":"C","s":"c"}"#,
    )
}

const CATASTROPHIC: &str = r#"$.s regex r"(a|aa)+(?=b)|!""#;

#[test]
fn a_regex_out_of_budget_reports_the_record_and_never_decides() {
    let input = regex_input();
    let negated = format!("not {CATASTROPHIC}");
    for args in [
        vec!["-m", CATASTROPHIC],
        vec!["-v", "-m", CATASTROPHIC],
        vec!["-m", &negated],
    ] {
        let out = run(&args, input.as_bytes());
        let err = stderr(&out);
        let expected_reason = format!(
            "spitzel-filter: <stdin>:2: undecided (--match '{}'): $.s: the regex gave up \
             after 1000000 backtracking steps on a string of 26 bytes\n",
            args.last().unwrap()
        );
        assert!(err.starts_with(&expected_reason), "{args:?}: {err}");
        assert!(
            err.contains("skipped 1 bad record (first at <stdin>:2)"),
            "{args:?}: {err}"
        );
        // Record B is neither written nor counted as filtered out.
        assert!(!stdout(&out).contains(r#""B""#), "{args:?}");
    }
    // With -v or `not`, the two decided records are written.
    let out = run(&["-v", "-m", CATASTROPHIC], input.as_bytes());
    assert_eq!(stdout(&out).lines().count(), 2);
    // --strict stops at it with exit status 2.
    let out = run(&["--strict", "-v", "-m", CATASTROPHIC], input.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    // --stats groups it under its own kind.
    let out = run(&["--stats", "-c", "-m", CATASTROPHIC], input.as_bytes());
    assert!(
        stderr(&out).contains("skipped 1 (undecided 1)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_long_string_under_a_backtracking_regex_is_reported_at_once() {
    // (?=(a+)+$)|! costs n^2 per record; 100k a's took 12.6 s before the cap.
    let record = format!(r#"{{"eventName":"x","s":"{}"}}"#, "a".repeat(100_000));
    let out = run(
        &["-c", "-m", r#"$.s regex "(?=(a+)+$)|!""#],
        record.as_bytes(),
    );
    assert_eq!(stdout(&out), "0\n");
    assert!(
        stderr(&out).contains(
            "the regex needs the backtracking engine, which reads strings of at most 16384 \
             bytes; this one has 100000"
        ),
        "{}",
        stderr(&out)
    );
    // The linear engine has no such cap.
    let out = run(&["-c", "-m", r#"$.s regex "a+$""#], record.as_bytes());
    assert_eq!(stdout(&out), "1\n");
}

#[test]
fn big_integers_compare_exactly() {
    let input = concat!(
        r#"{"eventName":"a","n":123456789012345678901234567890}"#,
        "\n",
        r#"{"eventName":"b","n":-9223372036854775809}"#,
        "\n",
        r#"{"eventName":"c","n":1.2345678901234568e29}"#,
        "\n",
        r#"{"eventName":"d","n":[-123456789012345678901234567890123456789012]}"#,
        "\n",
    );
    let count = |expression: &str| {
        let out = run(&["-c", "-m", expression], input.as_bytes());
        assert!(out.status.code().is_some_and(|c| c < 2), "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    };
    assert_eq!(count("$.n == 123456789012345678901234567890"), "1");
    assert_eq!(count("$.n == 123456789012345678901234567891"), "0");
    assert_eq!(count("$.n == -9223372036854775809"), "1");
    assert_eq!(count("$.n < -9223372036854775808"), "1");
    // Python: 123456789012345678901234567890 == 1.2345678901234568e29 is
    // False: the float is exactly 123456789012345677877719597056.
    assert_eq!(count("$.n == 1.2345678901234568e29"), "1");
    assert_eq!(
        count("$.n < 123456789012345678901234567890 and $.n > 123456789012345677877719597055"),
        "1"
    );
    assert_eq!(count("$.n == 123456789012345677877719597056"), "1");
    assert_eq!(
        count("$.n == [-123456789012345678901234567890123456789012]"),
        "1"
    );
    assert_eq!(count("$.n[0] < -1e41 and $.n[0] > -1e42"), "1");
    // Through the general engine too.
    assert_eq!(count("$..n == 123456789012345678901234567890"), "1");
}

#[test]
fn numbers_beyond_f64_pass_and_read_as_infinity() {
    let input = concat!(
        r#"{"eventName":"a","big":1e400,"k":"x"}"#,
        "\n",
        r#"{"eventName":"b","big":-1e400,"k":"y"}"#,
        "\n",
    );
    let count = |expression: &str| {
        let out = run(&["-c", "-m", expression], input.as_bytes());
        assert_eq!(stderr(&out), "", "{expression}");
        stdout(&out).trim().to_owned()
    };
    // Not read: the records pass untouched.
    assert_eq!(count("$.k == 'x'"), "1");
    let out = run(&[], input.as_bytes());
    assert_eq!(stdout(&out), input);
    // Read: Python's float('1e400') is inf.
    assert_eq!(count("$.big == 1e400"), "1");
    assert_eq!(count("$.big > 1.7976931348623157e308"), "1");
    assert_eq!(count("$.big < -1.7976931348623157e308"), "1");
    assert_eq!(count(&format!("$..big > 1{}", "0".repeat(400))), "1");
}

#[test]
fn a_path_over_budget_is_an_error_for_that_record() {
    let deep = format!(
        r#"{{"eventName":"deep","x":{}2{}}}"#,
        r#"{"a":"#.repeat(250),
        "}".repeat(250)
    );
    let input = format!(
        "{deep}\n{}\n",
        r#"{"eventName":"flat","x":{"a":{"b":{"c":2}}}}"#
    );
    let out = run(&["-m", "$..*..*..*..* == 2"], input.as_bytes());
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "spitzel-filter: <stdin>:1: undecided (--match '$..*..*..*..* == 2'): the path $..*..*..*..* \
             could visit about"
        ),
        "{err}"
    );
    assert!(stdout(&out).contains(r#""flat""#));
    assert_eq!(stdout(&out).lines().count(), 1);
}

#[test]
fn a_long_bad_expression_is_quoted_around_its_column() {
    let expression = format!("$.a == '{}' and $.b =! 1", "x".repeat(100_000));
    let out = run(&["-m", &expression], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.len() < 400, "{} bytes", err.len());
    let column = expression.find("=!").unwrap() + 1;
    assert!(
        err.ends_with(&format!(
            "and $.b =! 1': expected an operator: '=!' is none; did you mean '!='? at column {column}\n"
        )),
        "{err}"
    );
    assert!(err.starts_with("spitzel-filter: --match '...xxx"), "{err}");
}

#[test]
fn match_errors_are_one_clear_line() {
    let error = |expression: &str| {
        let out = run(&["-m", expression], b"");
        assert_eq!(out.status.code(), Some(2), "{expression}");
        stderr(&out)
    };
    assert_eq!(
        error("$.a regex '[z-a]'"),
        "spitzel-filter: --match '$.a regex '[z-a]'': invalid regex: invalid character class \
         range, the start must be <= the end at column 13\n"
    );
    assert_eq!(
        error(r#"$.errorCode = "x""#),
        "spitzel-filter: --match '$.errorCode = \"x\"': expected an operator: '=' is none; did \
         you mean '=='? at column 13\n"
    );
    // Found by the pyregex fuzz target: Python refuses a quantifier right
    // after another; the two engines read it differently.
    assert_eq!(
        error("$.a regex '2*{,0}'"),
        "spitzel-filter: --match '$.a regex '2*{,0}'': invalid regex: multiple repeat (a \
         quantifier right after another; group the first, as in (?:a*)*) at column 14\n"
    );
    assert_eq!(
        error(r"$.a regex '\d{3,88888888}'"),
        "spitzel-filter: --match '$.a regex '\\d{3,88888888}'': invalid regex: repetition \
         count 88888888 is more than the 1000 supported at column 14\n"
    );
    assert!(
        error(r#"$.a == "\ud800""#).ends_with(
            "\\ud800 is a lone surrogate (half of a UTF-16 pair, no character); write a \
             character past U+FFFF as \\U0001F600 or as itself at column 9\n"
        ),
        "{}",
        error(r#"$.a == "\ud800""#)
    );
}

#[test]
fn a_record_with_a_lone_surrogate_says_so() {
    let input = concat!(r#"{"eventName":"a","s":"\ud800"}"#, "\n");
    let out = run(&[], input.as_bytes());
    assert_eq!(
        stderr(&out).lines().next().unwrap(),
        "spitzel-filter: <stdin>:1: invalid JSON: \\ud800 is a lone surrogate (half of a UTF-16 pair, \
         no character) at byte 23"
    );
}
