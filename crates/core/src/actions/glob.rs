//! One IAM action glob (`s3:Get*`, `ec2:Describe[IV]*`), matched
//! case-insensitively as IAM does, with fnmatch's `*`, `?`, `[...]` and
//! `[!...]`. Anything else that is not glob syntax is refused at parse time,
//! so a typo is an error rather than a silent empty match.

use super::ActionGlobError;

/// One compiled part (service or action) of a glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A literal character, lowercased.
    Char(char),
    /// `?`: any one character.
    One,
    /// `*`: any run of characters.
    Star,
    /// `[...]` (or `[!...]` when `negated`): one character of the set,
    /// members lowercased.
    Set { negated: bool, items: Vec<SetItem> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SetItem {
    Char(char),
    Range(char, char),
}

impl SetItem {
    fn contains(&self, c: char) -> bool {
        match *self {
            SetItem::Char(m) => m == c,
            SetItem::Range(lo, hi) => lo <= c && c <= hi,
        }
    }
}

/// Characters IAM prefixes and action names are made of (plus `_` and `.`,
/// which appear in some eventNames); anything else cannot match any event.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

impl Pattern {
    /// Compile one part; `arg` and `part_name` only serve error messages.
    pub(crate) fn parse(part: &str, arg: &str, part_name: &str) -> Result<Self, ActionGlobError> {
        let err = |what: String| ActionGlobError::BadPattern {
            arg: arg.to_owned(),
            what,
            part: part_name.to_owned(),
        };
        let chars: Vec<char> = part.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '*' => {
                    // `**` is `*`; keeping one keeps matching linear.
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::One);
                    i += 1;
                }
                '[' => {
                    let (token, next) = parse_set(&chars, i).map_err(err)?;
                    tokens.push(token);
                    i = next;
                }
                ']' => return Err(err("a ']' without its '['".to_string())),
                c if is_name_char(c) => {
                    tokens.push(Token::Char(c.to_ascii_lowercase()));
                    i += 1;
                }
                c => return Err(err(format!("'{}' is not glob syntax", c.escape_debug()))),
            }
        }
        Ok(Pattern { tokens })
    }

    pub(crate) fn has_wildcard(&self) -> bool {
        self.tokens.iter().any(|t| !matches!(t, Token::Char(_)))
    }

    /// The literal text (lowercase) when the pattern has no wildcard.
    pub(crate) fn literal(&self) -> Option<String> {
        self.tokens
            .iter()
            .map(|t| match t {
                Token::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// Whole-string match, ASCII-case-insensitive, per character. Greedy with
    /// one backtrack point (the last `*`), so linear in practice and never
    /// exponential. ASCII text (every real name) is matched without copying.
    pub(crate) fn matches(&self, text: &str) -> bool {
        if text.is_ascii() {
            self.matches_units(text.as_bytes(), |b| char::from(b.to_ascii_lowercase()))
        } else {
            let chars: Vec<char> = text.chars().collect();
            self.matches_units(&chars, |c| c.to_ascii_lowercase())
        }
    }

    fn matches_units<T: Copy>(&self, text: &[T], lower: impl Fn(T) -> char) -> bool {
        let tokens = &self.tokens;
        let (mut p, mut t) = (0, 0);
        let mut resume: Option<(usize, usize)> = None;
        while t < text.len() {
            let c = lower(text[t]);
            let step = match tokens.get(p) {
                Some(Token::Star) => {
                    p += 1;
                    resume = Some((p, t));
                    continue;
                }
                Some(Token::Char(want)) => *want == c,
                Some(Token::One) => true,
                Some(Token::Set { negated, items }) => {
                    items.iter().any(|item| item.contains(c)) != *negated
                }
                None => false,
            };
            if step {
                p += 1;
                t += 1;
            } else if let Some((star_p, star_t)) = resume {
                p = star_p;
                t = star_t + 1;
                resume = Some((star_p, star_t + 1));
            } else {
                return false;
            }
        }
        tokens[p..].iter().all(|t| *t == Token::Star)
    }

    /// An anchored regular expression over the lowercased text that accepts
    /// exactly what `matches` accepts (RE2 and Java syntax alike).
    pub(crate) fn to_regex(&self) -> String {
        let mut out = String::from("^");
        for token in &self.tokens {
            match token {
                Token::Char(c) => push_regex_char(&mut out, *c),
                Token::One => out.push('.'),
                Token::Star => out.push_str(".*"),
                Token::Set { negated, items } => {
                    out.push('[');
                    if *negated {
                        out.push('^');
                    }
                    for item in items {
                        match *item {
                            SetItem::Char(c) => push_set_char(&mut out, c),
                            SetItem::Range(lo, hi) => {
                                push_set_char(&mut out, lo);
                                out.push('-');
                                push_set_char(&mut out, hi);
                            }
                        }
                    }
                    out.push(']');
                }
            }
        }
        out.push('$');
        out
    }
}

fn push_regex_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || c == '_' {
        out.push(c);
    } else if c.is_ascii() {
        out.push('\\');
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    }
}

fn push_set_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        push_regex_char(out, c);
    }
}

/// A bracket set starting at `chars[open] == '['`: the token and the index
/// after its `]`.
fn parse_set(chars: &[char], open: usize) -> Result<(Token, usize), String> {
    let mut i = open + 1;
    let negated = chars.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    let first = i;
    // A `]` right after `[` or `[!` is a member, so the set closes later.
    if !chars.iter().skip(first + 1).any(|&c| c == ']') {
        return Err("a '[' without its ']'".to_string());
    }
    let mut members = Vec::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("a '[' without its ']'".to_string());
        };
        if c == ']' && i > first {
            break;
        }
        if c == '[' || (!is_name_char(c) && c != ']') {
            return Err(format!(
                "'{}' inside [...] is not glob syntax",
                c.escape_debug()
            ));
        }
        members.push(c.to_ascii_lowercase());
        i += 1;
    }
    let mut items = Vec::new();
    let mut k = 0;
    while k < members.len() {
        // `a-z` is a range; a `-` first or last is itself.
        if k + 2 < members.len() && members[k + 1] == '-' {
            let (lo, hi) = (members[k], members[k + 2]);
            if lo > hi {
                return Err(format!("the range [{lo}-{hi}] is reversed (lowercased)"));
            }
            items.push(SetItem::Range(lo, hi));
            k += 3;
        } else {
            items.push(SetItem::Char(members[k]));
            k += 1;
        }
    }
    Ok((Token::Set { negated, items }, i + 1))
}

/// A glob split at its `:`, both parts compiled.
#[derive(Debug, Clone)]
pub(crate) struct ActionGlob {
    /// The action part as the user wrote it (kept for narrowing).
    pub(crate) written_action: String,
    pub(crate) written_service: String,
    pub(crate) service: Pattern,
    pub(crate) action: Pattern,
}

impl ActionGlob {
    pub(crate) fn parse(arg: &str) -> Result<Self, ActionGlobError> {
        let Some((service, action)) = arg.split_once(':') else {
            return Err(ActionGlobError::NoService(arg.to_owned()));
        };
        if service.is_empty() {
            return Err(ActionGlobError::EmptyService {
                arg: arg.to_owned(),
                action: action.to_owned(),
            });
        }
        if action.is_empty() {
            return Err(ActionGlobError::EmptyAction {
                arg: arg.to_owned(),
                service: service.to_owned(),
            });
        }
        if action.contains(':') {
            return Err(ActionGlobError::SecondColon(arg.to_owned()));
        }
        Ok(ActionGlob {
            written_action: action.to_string(),
            written_service: service.to_string(),
            service: Pattern::parse(service, arg, "service")?,
            action: Pattern::parse(action, arg, "action")?,
        })
    }

    pub(crate) fn service_has_wildcard(&self) -> bool {
        self.service.has_wildcard()
    }

    pub(crate) fn action_has_wildcard(&self) -> bool {
        self.action.has_wildcard()
    }

    /// The service part, lowercased (only meaningful without wildcards).
    pub(crate) fn service_str(&self) -> String {
        self.service.literal().unwrap_or_default()
    }

    pub(crate) fn service_written(&self) -> String {
        self.written_service.clone()
    }

    pub(crate) fn matches(&self, prefix: &str, action: &str) -> bool {
        self.service.matches(prefix) && self.action.matches(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob_matches(pattern: &str, text: &str) -> bool {
        Pattern::parse(pattern, pattern, "action")
            .unwrap()
            .matches(text)
    }

    fn parse_err(pattern: &str) -> String {
        Pattern::parse(pattern, pattern, "action")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn star_and_question_mark() {
        assert!(glob_matches("Get*", "GetObject"));
        assert!(glob_matches("Get*", "Get"));
        assert!(glob_matches("*Object", "GetObject"));
        assert!(glob_matches("G*t*Obj?ct", "GetBucketObject"));
        assert!(glob_matches("Get?bject", "GetObject"));
        assert!(!glob_matches("Get?bject", "Getbject"));
        assert!(!glob_matches("Get*", "PutObject"));
        assert!(!glob_matches("GetObject", "GetObjectAcl"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("?", ""));
        assert!(glob_matches("a*b*c", "aXXbYYbZc"));
        assert!(!glob_matches("a*b*c", "aXXbYYbZ"));
    }

    #[test]
    fn case_insensitive() {
        assert!(glob_matches("getobject", "GetObject"));
        assert!(glob_matches("GETOBJECT", "getobject"));
    }

    #[test]
    fn brackets_like_fnmatch_ignoring_case() {
        assert!(glob_matches("Describe[IV]*", "DescribeInstances"));
        assert!(glob_matches("Describe[IV]*", "DescribeVpcs"));
        assert!(glob_matches("Describe[iv]*", "DescribeVolumes"));
        assert!(!glob_matches("Describe[IV]*", "DescribeSubnets"));
        assert!(glob_matches("Describe[!IV]*", "DescribeSubnets"));
        assert!(!glob_matches("Describe[!IV]*", "DescribeInstances"));
        assert!(glob_matches("Get[A-C]*", "GetBucketAcl"));
        assert!(glob_matches("Get[a-c]*", "GetBucketAcl"));
        assert!(!glob_matches("Get[A-C]*", "GetObject"));
        assert!(glob_matches("[]x]", "]"));
        assert!(glob_matches("[!]x]", "y"));
        assert!(!glob_matches("[!]x]", "]"));
        assert!(glob_matches("a[-b]", "a-"));
        assert!(glob_matches("a[b-]", "a-"));
        assert!(glob_matches("List*V[0-9]", "ListObjectsV2"));
        // Per character, not byte, beyond ASCII.
        assert!(glob_matches("a?b", "a\u{e9}b"));
        assert!(glob_matches("a[!x]b", "a\u{e9}b"));
    }

    #[test]
    fn not_glob_syntax_is_an_error() {
        for (bad, said) in [
            ("Describe[IV*", "without its ']'"),
            ("Describe[", "without its ']'"),
            ("Get]", "without its '['"),
            ("Get[z-a]", "reversed"),
            ("Get{Object,Bucket}", "'{'"),
            ("Get Object", "' '"),
            ("Get\\*", "'\\\\'"),
            ("Get[a^]", "inside [...]"),
            ("Get[[]", "inside [...]"),
        ] {
            let err = parse_err(bad);
            assert!(err.contains(said), "{bad}: {err}");
            assert!(!err.contains('\n'));
        }
    }

    #[test]
    fn regex_agrees_with_matches() {
        let pattern = Pattern::parse("Describe[!IV]*?.x-[a-c-]", "p", "action").unwrap();
        assert_eq!(pattern.to_regex(), "^describe[^iv].*.\\.x\\-[a-c\\-]$");
    }

    #[test]
    fn pathological_pattern_stays_fast() {
        let text = "a".repeat(10_000);
        let pattern = format!("{}b", "a*".repeat(50));
        assert!(!glob_matches(&pattern, &text));
    }

    #[test]
    fn parse_errors_name_the_argument() {
        let err = ActionGlob::parse("GetObject").unwrap_err().to_string();
        assert!(err.contains("'GetObject'") && err.contains("service:Action"));
        assert!(!err.contains('\n'));
        assert!(ActionGlob::parse(":GetObject").is_err());
        assert!(ActionGlob::parse("s3:").is_err());
        assert!(ActionGlob::parse("s3:Get:Object").is_err());
        let glob = ActionGlob::parse("S3:Get*").unwrap();
        assert!(glob.matches("s3", "GetObject"));
        assert!(!glob.matches("s3x", "GetObject"));
    }
}
