//! Finding the next record after a broken one, so that one bad record (or
//! a stray value) costs only itself and never the rest of the file.
//!
//! Where a record starts is told by what the records before it looked like:
//! in a pretty document an element starts its line at the indentation of
//! the others; in a minified one (CloudTrail's own files) each element
//! opens with the same first member, `{"eventVersion"`. A `{` or `[` at the
//! start of a line and unindented starts a new document.

use super::scan::Fault;
use super::{ArrayMarks, Decoder};

impl Decoder<'_, '_> {
    /// After a broken element: when the element's copy holds the start of
    /// the next one (a lost quote can make a string run over it), read
    /// from there again.
    pub(super) fn look_back(&mut self, marks: &ArrayMarks) {
        let Some(key) = &marks.key else {
            // Nothing to know an element by: a `,{"` among the last bytes
            // taken, where a lost quote leaves the next element's start.
            let rec = &self.rec;
            let tail_from = rec.len().saturating_sub(64).max(1);
            if let Some(at) = memchr::memmem::rfind(&rec[tail_from..], b",{\"") {
                let tail = rec[tail_from + at + 1..].to_vec();
                self.sc.unread(&tail);
            }
            return;
        };
        let mut pattern = vec![b'{'];
        pattern.extend_from_slice(key);
        let rec = &self.rec;
        let found = memchr::memchr_iter(b'{', rec)
            .filter(|&at| at > 0)
            .map(|at| &rec[at..])
            .find(|tail| tail.starts_with(&pattern) || pattern.starts_with(tail));
        if let Some(tail) = found {
            let tail = tail.to_vec();
            self.sc.unread(&tail);
        }
    }

    /// Skip to the next element of the array. False: there is none (the end
    /// of input, or a new document starts), so the array is given up.
    pub(super) fn seek_element(&mut self, marks: &ArrayMarks) -> Result<bool, Fault> {
        let mut taken = Vec::new();
        self.sc.before_open = None;
        loop {
            let Some(open) = self.sc.seek_open()? else {
                return Ok(false);
            };
            let (at_line_start, indent) = (self.sc.at_line_start, self.sc.indent);
            let after = self.sc.before_open;
            if at_line_start && indent == 0 && marks.indent != Some(0) {
                return Ok(false);
            }
            if open == b'[' {
                self.sc.bump();
                continue;
            }
            if at_line_start && marks.indent == Some(indent) {
                return Ok(true);
            }
            self.sc.bump();
            taken.clear();
            taken.push(b'{');
            let whole = self.sc.take_key(&mut taken)?;
            let hit = whole
                && match &marks.key {
                    Some(key) => taken[1..] == key[..],
                    // Elements with different first keys: an object after
                    // a comma or bracket, as elements stand.
                    // (Nothing skipped: the fault stood at this `{`.)
                    None if marks.varied => matches!(after, None | Some(b',' | b'[')),
                    // Nothing learned yet: any object with a member.
                    None => true,
                };
            if hit {
                self.sc.unread(&taken);
                self.sc.at_line_start = at_line_start;
                self.sc.indent = indent;
                return Ok(true);
            }
        }
    }

    /// After a broken top-level document: skip to the next `{` or `[` that
    /// starts a line unindented (or to the end of input).
    pub(super) fn seek_document(&mut self) -> Result<(), Fault> {
        while self.sc.seek_open()?.is_some() {
            if self.sc.at_line_start && self.sc.indent == 0 {
                return Ok(());
            }
            self.sc.bump();
        }
        Ok(())
    }
}
