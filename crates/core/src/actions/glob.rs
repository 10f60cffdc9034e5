//! One IAM action glob (`s3:Get*`), matched case-insensitively as IAM does.

use super::ActionGlobError;

/// A glob split at its first `:`, both parts lowercased once at compile time.
#[derive(Debug, Clone)]
pub(crate) struct ActionGlob {
    /// The argument as the user wrote it (kept for narrowing and messages).
    pub(crate) written_action: String,
    pub(crate) service: Box<[u8]>,
    pub(crate) action: Box<[u8]>,
}

impl ActionGlob {
    pub(crate) fn parse(arg: &str) -> Result<Self, ActionGlobError> {
        let Some((service, action)) = arg.split_once(':') else {
            return Err(ActionGlobError(format!(
                "action '{arg}' has no service prefix: write service:Action, e.g. s3:GetObject"
            )));
        };
        if service.is_empty() {
            return Err(ActionGlobError(format!(
                "action '{arg}' has an empty service part: write service:Action, e.g. s3:{action}"
            )));
        }
        if action.is_empty() {
            return Err(ActionGlobError(format!(
                "action '{arg}' has an empty action part: write service:Action, e.g. {service}:*"
            )));
        }
        Ok(ActionGlob {
            written_action: action.to_string(),
            service: service.to_ascii_lowercase().into_bytes().into(),
            action: action.to_ascii_lowercase().into_bytes().into(),
        })
    }

    pub(crate) fn service_has_wildcard(&self) -> bool {
        has_wildcard(&self.service)
    }

    pub(crate) fn action_has_wildcard(&self) -> bool {
        has_wildcard(&self.action)
    }

    /// The service part as written, lowercased (only meaningful without wildcards).
    pub(crate) fn service_str(&self) -> &str {
        // Built from a &str lowercased in ASCII only, so still UTF-8.
        std::str::from_utf8(&self.service).unwrap_or_default()
    }

    pub(crate) fn matches(&self, prefix: &str, action: &str) -> bool {
        wildcard_match(&self.service, prefix.as_bytes())
            && wildcard_match(&self.action, action.as_bytes())
    }
}

fn has_wildcard(part: &[u8]) -> bool {
    part.iter().any(|&b| b == b'*' || b == b'?')
}

/// `*` = any run of bytes, `?` = one byte; `pattern` is lowercase and `text`
/// is compared ASCII-case-insensitively. Greedy with one backtrack point,
/// so linear in practice and never exponential.
pub(crate) fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                p += 1;
                resume = Some((p, t));
            }
            Some(&c) if c == b'?' || c == text[t].to_ascii_lowercase() => {
                p += 1;
                t += 1;
            }
            _ => match resume {
                Some((star_p, star_t)) => {
                    p = star_p;
                    t = star_t + 1;
                    resume = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob_matches(pattern: &str, text: &str) -> bool {
        wildcard_match(pattern.to_ascii_lowercase().as_bytes(), text.as_bytes())
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
        let glob = ActionGlob::parse("S3:Get*").unwrap();
        assert!(glob.matches("s3", "GetObject"));
        assert!(!glob.matches("s3x", "GetObject"));
    }
}
