//! The condition language: `and`, `or`, `not`, parentheses, `1 of X*`,
//! `all of X*`, `1 of them`, `all of them`. Precedence, least binding
//! first: or, and, not, `x of`, parentheses.

use crate::model::Condition;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Pipe,
    Word(String),
}

fn lex(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let special = match c {
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            '|' => Some(Tok::Pipe),
            _ => None,
        };
        if c.is_whitespace() || special.is_some() {
            if !word.is_empty() {
                out.push(Tok::Word(std::mem::take(&mut word)));
            }
            out.extend(special);
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(Tok::Word(word));
    }
    out
}

fn is_kw(tok: Option<&Tok>, kw: &str) -> bool {
    matches!(tok, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
}

/// How deep parentheses and `not`s may nest: far beyond any real rule,
/// shallow enough that parsing, matching and SQL writing (all recursive)
/// stay well inside the stack.
pub const MAX_NESTING: usize = 64;

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    names: &'a [String],
    /// Open parentheses and `not`s around the token being parsed.
    depth: usize,
}

/// Parse `text` over the search identifiers `names` (rule order).
pub fn parse(text: &str, names: &[String]) -> Result<Condition, String> {
    let toks = lex(text);
    if toks.contains(&Tok::Pipe) {
        return Err(
            "aggregations ('| count()' and the like) are not supported: they are deprecated; \
             correlation rules replace them, and those are not supported either"
                .into(),
        );
    }
    if toks.is_empty() {
        return Err("empty condition".into());
    }
    let mut parser = Parser {
        toks,
        at: 0,
        names,
        depth: 0,
    };
    let condition = parser.or()?;
    match parser.toks.get(parser.at) {
        None => Ok(condition),
        Some(tok) => Err(format!("unexpected {} in condition", describe(tok))),
    }
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
        Tok::Pipe => "'|'".into(),
        Tok::Word(w) => format!("'{w}'"),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn or(&mut self) -> Result<Condition, String> {
        let mut terms = vec![self.and()?];
        while is_kw(self.peek(), "or") {
            self.at += 1;
            terms.push(self.and()?);
        }
        Ok(any_of(terms))
    }

    fn and(&mut self) -> Result<Condition, String> {
        let mut terms = vec![self.not()?];
        while is_kw(self.peek(), "and") {
            self.at += 1;
            terms.push(self.not()?);
        }
        Ok(all_of(terms))
    }

    fn not(&mut self) -> Result<Condition, String> {
        if is_kw(self.peek(), "not") {
            self.at += 1;
            let inner = self.nested(Self::not)?;
            return Ok(Condition::Not(Box::new(inner)));
        }
        self.primary()
    }

    /// `parse` one level deeper, refused past [`MAX_NESTING`].
    fn nested(
        &mut self,
        parse: fn(&mut Self) -> Result<Condition, String>,
    ) -> Result<Condition, String> {
        if self.depth >= MAX_NESTING {
            return Err(format!(
                "condition nests parentheses and 'not' more than {MAX_NESTING} deep"
            ));
        }
        self.depth += 1;
        let inner = parse(self);
        self.depth -= 1;
        inner
    }

    fn primary(&mut self) -> Result<Condition, String> {
        let Some(tok) = self.peek().cloned() else {
            return Err("condition ends where a search identifier was expected".into());
        };
        self.at += 1;
        match tok {
            Tok::Open => {
                let inner = self.nested(Self::or)?;
                match self.peek() {
                    Some(Tok::Close) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err("missing ')' in condition".into()),
                }
            }
            Tok::Word(word) => {
                if is_kw(self.peek(), "of") {
                    self.at += 1;
                    return self.quantified(&word);
                }
                for kw in ["and", "or", "of", "them"] {
                    if word.eq_ignore_ascii_case(kw) {
                        return Err(format!("unexpected '{word}' in condition"));
                    }
                }
                match self.names.iter().position(|n| *n == word) {
                    Some(index) => Ok(Condition::Search(index)),
                    None => Err(format!(
                        "condition names '{word}', which is not a search identifier"
                    )),
                }
            }
            other => Err(format!("unexpected {} in condition", describe(&other))),
        }
    }

    /// `1 of X` / `all of X` after the `of`.
    fn quantified(&mut self, quantifier: &str) -> Result<Condition, String> {
        let all = if quantifier == "1" {
            false
        } else if quantifier.eq_ignore_ascii_case("all") {
            true
        } else {
            return Err(format!(
                "'{quantifier} of' is not in the specification (only '1 of' and 'all of')"
            ));
        };
        let Some(Tok::Word(target)) = self.peek().cloned() else {
            return Err(format!("'{quantifier} of' needs a pattern or 'them'"));
        };
        self.at += 1;
        let chosen: Vec<usize> = if target.eq_ignore_ascii_case("them") {
            // Identifiers starting with '_' are left out by convention.
            (0..self.names.len())
                .filter(|&i| !self.names[i].starts_with('_'))
                .collect()
        } else {
            (0..self.names.len())
                .filter(|&i| glob(&target, &self.names[i]))
                .collect()
        };
        if chosen.is_empty() {
            return Err(format!(
                "'{quantifier} of {target}' matches no search identifier"
            ));
        }
        let terms: Vec<Condition> = chosen.into_iter().map(Condition::Search).collect();
        Ok(if all { all_of(terms) } else { any_of(terms) })
    }
}

/// `terms` joined by `or`: nested ors flattened and a term given again
/// dropped (`sel or sel …` is `sel`), so a repeated term costs neither
/// matching time nor SQL text.
pub fn any_of(terms: Vec<Condition>) -> Condition {
    join(terms, true)
}

/// `terms` joined by `and`, flattened and without repeats as [`any_of`].
pub fn all_of(terms: Vec<Condition>) -> Condition {
    join(terms, false)
}

fn join(terms: Vec<Condition>, or: bool) -> Condition {
    let mut flat = Vec::with_capacity(terms.len());
    let mut seen = HashSet::new();
    let mut add = |term: Condition, flat: &mut Vec<Condition>| {
        if seen.insert(term.clone()) {
            flat.push(term);
        }
    };
    for term in terms {
        match term {
            Condition::Or(inner) if or => inner.into_iter().for_each(|t| add(t, &mut flat)),
            Condition::And(inner) if !or => inner.into_iter().for_each(|t| add(t, &mut flat)),
            other => add(other, &mut flat),
        }
    }
    match flat.len() {
        1 => flat.remove(0),
        _ if or => Condition::Or(flat),
        _ => Condition::And(flat),
    }
}

/// `*` at any position, any run of characters; the rest literal.
fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use Condition::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn precedence_or_and_not() {
        let n = names(&["a", "b", "c"]);
        assert_eq!(
            parse("a or b and not c", &n).unwrap(),
            Or(vec![
                Search(0),
                And(vec![Search(1), Not(Box::new(Search(2)))])
            ])
        );
        assert_eq!(
            parse("(a or b) and c", &n).unwrap(),
            And(vec![Or(vec![Search(0), Search(1)]), Search(2)])
        );
        assert_eq!(
            parse("not not a", &n).unwrap(),
            Not(Box::new(Not(Box::new(Search(0)))))
        );
    }

    #[test]
    fn specification_examples() {
        let n = names(&[
            "selection1",
            "selection2",
            "keywords",
            "filter_a",
            "filters",
        ]);
        // `all of selection*`
        assert_eq!(
            parse("all of selection*", &n).unwrap(),
            And(vec![Search(0), Search(1)])
        );
        // `1 of selection* and keywords`: `of` binds tighter than `and`.
        assert_eq!(
            parse("1 of selection* and keywords", &n).unwrap(),
            And(vec![Or(vec![Search(0), Search(1)]), Search(2)])
        );
        // `1 of selection* and not 1 of filter*`
        assert_eq!(
            parse("1 of selection* and not 1 of filter*", &n).unwrap(),
            And(vec![
                Or(vec![Search(0), Search(1)]),
                Not(Box::new(Or(vec![Search(3), Search(4)])))
            ])
        );
        assert_eq!(
            parse("keywords and not filters", &n).unwrap(),
            And(vec![Search(2), Not(Box::new(Search(4)))])
        );
        assert_eq!(
            parse("selection1 and (keywords or filters)", &n).unwrap(),
            And(vec![Search(0), Or(vec![Search(2), Search(4)])])
        );
    }

    #[test]
    fn them_leaves_out_underscore_identifiers() {
        let n = names(&["a", "_hidden", "b"]);
        assert_eq!(
            parse("1 of them", &n).unwrap(),
            Or(vec![Search(0), Search(2)])
        );
        assert_eq!(
            parse("all of them", &n).unwrap(),
            And(vec![Search(0), Search(2)])
        );
        // A pattern may still name it.
        assert_eq!(parse("1 of _h*", &n).unwrap(), Search(1));
    }

    #[test]
    fn wildcards_anywhere_in_the_pattern() {
        let n = names(&["sel_x_end", "sel_y", "other_end"]);
        assert_eq!(
            parse("1 of *_end", &n).unwrap(),
            Or(vec![Search(0), Search(2)])
        );
        assert_eq!(parse("1 of sel*end", &n).unwrap(), Search(0));
        assert_eq!(
            parse("1 of *", &n).unwrap(),
            Or(vec![Search(0), Search(1), Search(2)])
        );
    }

    #[test]
    fn refusals() {
        let n = names(&["selection"]);
        assert!(
            parse("selection | count() > 5", &n)
                .unwrap_err()
                .contains("aggregation")
        );
        assert!(parse("nope", &n).unwrap_err().contains("'nope'"));
        assert!(parse("2 of selection*", &n).unwrap_err().contains("'2 of'"));
        assert!(
            parse("1 of x*", &n)
                .unwrap_err()
                .contains("matches no search identifier")
        );
        assert!(parse("(selection", &n).unwrap_err().contains("')'"));
        assert!(parse("selection and", &n).is_err());
        assert!(parse("selection selection", &n).is_err());
        assert!(parse("", &n).is_err());
    }

    #[test]
    fn repeated_terms_count_once_and_nesting_of_one_kind_is_flat() {
        let n = names(&["a", "b", "c"]);
        let repeated = vec!["a"; 2000].join(" or ");
        assert_eq!(parse(&repeated, &n).unwrap(), Search(0));
        assert_eq!(
            parse("a or (b or a) or (c and c and (c))", &n).unwrap(),
            Or(vec![Search(0), Search(1), Search(2)])
        );
        assert_eq!(
            parse("(a and b) or (b and a) or (a and b)", &n).unwrap(),
            Or(vec![
                And(vec![Search(0), Search(1)]),
                And(vec![Search(1), Search(0)])
            ])
        );
        assert_eq!(
            parse("all of them and a", &n).unwrap(),
            And(vec![Search(0), Search(1), Search(2)])
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let n = names(&["sel"]);
        let at_limit = format!("{}sel{}", "(".repeat(32), ")".repeat(32));
        let at_limit = format!("{}{at_limit}", "not ".repeat(MAX_NESTING - 32));
        assert!(parse(&at_limit, &n).is_ok());
        for deep in [
            format!("{}sel{}", "(".repeat(10_000), ")".repeat(10_000)),
            format!("{}sel", "not ".repeat(100_000)),
            format!("not ({at_limit})"),
        ] {
            let error = parse(&deep, &n).unwrap_err();
            assert!(error.contains("more than 64 deep"), "{error}");
        }
    }
}
