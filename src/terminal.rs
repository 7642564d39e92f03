//! Text bound for a terminal.
//!
//! Scenario names, feature paths, failure messages and error messages can carry what a provider sent
//! or what a feature file says. A terminal obeys control characters: an escape sequence inside a
//! failure message could erase the FAIL line above it and print a fake PASS, or retitle the window.
//! Everything printed that can carry such content goes through [`inert`] or [`inert_line`], which
//! spell control characters out (`\x1b`, `\r`, `\u{9b}`) so the reader sees them and the terminal
//! does not act on them.
//!
//! Standard output is written through [`outln`]: Rust ignores SIGPIPE, so `println!` panics once the
//! reader has gone (`gpc-assure run | head -3`). [`outln`] stops writing instead and the command
//! finishes normally, with the exit status it would have had.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a character must be spelt out rather than sent to a terminal: C0 controls (newline aside,
/// which the caller decides), DEL, C1 controls, and the Unicode bidirectional overrides and isolates
/// that reorder what is displayed.
fn is_active(c: char, keep_newline: bool) -> bool {
    match c {
        '\n' => !keep_newline,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

fn spell(text: &str, keep_newline: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_active(c, keep_newline)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_active(c, keep_newline) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character spelt out except newlines: for messages of several lines.
pub fn inert(text: &str) -> Cow<'_, str> {
    spell(text, true)
}

/// `text` with every control character spelt out, newlines included: for text that must stay on one
/// line (a scenario name, a feature path, one line of a progress report).
pub fn inert_line(text: &str) -> Cow<'_, str> {
    spell(text, false)
}

/// Set once standard output has been closed by its reader.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Write one line to standard output. When the reader has gone (a closed pipe) nothing more is
/// written and the command carries on; other write errors are ignored likewise, since the reports on
/// disk are the record of a run and the terminal only a view of it.
pub fn outln(args: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
    if let Err(e) = written.and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_spelt_out() {
        let hostile = "expected 200\x1b[2K\rPASS  all good";
        let shown = inert(hostile);
        assert_eq!(shown, "expected 200\\x1b[2K\\rPASS  all good");
        assert!(!shown.contains('\x1b') && !shown.contains('\r'));
    }

    #[test]
    fn window_titles_bells_and_c1_controls_are_spelt_out() {
        assert_eq!(inert_line("\x1b]0;owned\x07name"), "\\x1b]0;owned\\x07name");
        assert_eq!(inert_line("a\u{9b}2Kb\u{7f}"), "a\\u{9b}2Kb\\x7f");
        assert_eq!(inert_line("\u{202e}gnp.exe"), "\\u{202e}gnp.exe");
        assert_eq!(inert_line("tab\there\0"), "tab\\there\\x00");
    }

    #[test]
    fn newlines_are_kept_only_where_lines_are_intended() {
        assert_eq!(inert("one\ntwo"), "one\ntwo");
        assert_eq!(inert_line("one\ntwo"), "one\\ntwo");
    }

    #[test]
    fn ordinary_text_is_untouched_and_not_copied() {
        let text = "Patient: read — 200 OK, ünïcödé ✓";
        assert!(matches!(inert_line(text), Cow::Borrowed(t) if t == text));
    }
}
