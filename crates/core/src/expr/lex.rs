//! A cursor over the expression text: byte positions inside, character
//! columns in errors.

use super::ExprError;

pub(crate) struct Cursor<'s> {
    pub src: &'s str,
    pub pos: usize,
}

impl<'s> Cursor<'s> {
    pub(crate) fn new(src: &'s str) -> Self {
        Self { src, pos: 0 }
    }

    pub(crate) fn rest(&self) -> &'s str {
        &self.src[self.pos..]
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(crate) fn peek_at(&self, skip: usize) -> Option<char> {
        self.rest().chars().nth(skip)
    }

    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    pub(crate) fn skip_blank(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// The identifier-like word at the cursor (letters, digits, `_`), not
    /// consumed.
    pub(crate) fn peek_word(&self) -> &'s str {
        let rest = self.rest();
        let end = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(rest.len(), |(i, _)| i);
        &rest[..end]
    }

    /// Consume `word` when it stands at the cursor as a whole word.
    pub(crate) fn eat_word(&mut self, word: &str) -> bool {
        if self.peek_word() == word {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn error_at(&self, byte: usize, message: impl Into<String>) -> ExprError {
        error_at(self.src, byte, message)
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> ExprError {
        self.error_at(self.pos, message)
    }
}

/// An error at byte offset `byte` of `src`, reported as a 1-based character
/// column. Control characters in the message (quoted from the expression
/// or a pattern) are escaped: the message stays one line.
pub(crate) fn error_at(src: &str, byte: usize, message: impl Into<String>) -> ExprError {
    let byte = byte.min(src.len());
    let column = src.char_indices().take_while(|&(i, _)| i < byte).count() + 1;
    let message: String = message.into();
    let message = if message.chars().any(char::is_control) {
        message
            .chars()
            .map(|c| match c.is_control() {
                true => c.escape_default().to_string(),
                false => c.to_string(),
            })
            .collect()
    } else {
        message
    };
    ExprError { column, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_quoting_control_characters_stay_one_line() {
        // Found by the expr_parse fuzz target: a pattern and a path holding
        // a newline were quoted raw.
        for src in [r#"$.s regex "(?\n""#, "$.d-[\"\n\"] == 1"] {
            let error = crate::expr::Expression::parse(src).unwrap_err();
            assert!(!error.message.contains('\n'), "{src:?}: {}", error.message);
            assert!(error.message.contains("\\n"), "{src:?}: {}", error.message);
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(error_at("é$.a", 2, "x").column, 2);
        assert_eq!(error_at("$.a", 0, "x").column, 1);
        assert_eq!(error_at("$.a", 99, "x").column, 4);
    }

    #[test]
    fn words_are_whole() {
        let mut c = Cursor::new("android and");
        assert!(!c.eat_word("and"));
        assert!(c.eat_word("android"));
        c.skip_blank();
        assert!(c.eat_word("and"));
        assert!(c.at_end());
    }
}
