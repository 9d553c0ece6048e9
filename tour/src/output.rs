//! What the tour writes: one line per finished step, and a progress line for long steps.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant};

/// How the tour shows the progress of a long step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// One line rewritten in place with `\r`, a few times a second (for a terminal).
    Live,
    /// A plain line at most once a second, once a step has run for a second (logs and CI,
    /// where `\r` would pile up).
    #[default]
    Lines,
    /// No progress output at all.
    Off,
}

impl Progress {
    /// [`Progress::Live`] when standard output is a terminal, [`Progress::Lines`] otherwise.
    pub fn for_stdout() -> Self {
        if std::io::stdout().is_terminal() {
            Progress::Live
        } else {
            Progress::Lines
        }
    }
}

/// How often a live line is redrawn.
const LIVE_EVERY: Duration = Duration::from_millis(100);
/// How often a plain progress line is written.
const LINES_EVERY: Duration = Duration::from_secs(1);

/// The tour's output. Write errors are ignored: a closed pipe must not fail the tour.
pub(crate) struct Output<'a, W: Write> {
    out: &'a mut W,
    progress: Progress,
    /// Width of the live line on screen, to blank it out.
    live_width: usize,
    /// When the current step started.
    step_started: Instant,
    /// When progress was last shown.
    last_shown: Option<Instant>,
}

impl<'a, W: Write> Output<'a, W> {
    pub(crate) fn new(out: &'a mut W, progress: Progress) -> Self {
        Self {
            out,
            progress,
            live_width: 0,
            step_started: Instant::now(),
            last_shown: None,
        }
    }

    /// Writes a whole line (after clearing a live progress line).
    pub(crate) fn line(&mut self, text: &str) {
        self.clear();
        let _ = writeln!(self.out, "{text}");
        let _ = self.out.flush();
    }

    /// A new step starts: progress timing starts over.
    pub(crate) fn step_started(&mut self) {
        self.step_started = Instant::now();
        self.last_shown = None;
    }

    /// Shows `text` as the progress of the current step, unless it was shown too recently.
    /// `text` is built only when it is shown.
    pub(crate) fn progress(&mut self, text: impl FnOnce() -> String) {
        let now = Instant::now();
        let due = |every: Duration| self.last_shown.is_none_or(|last| now - last >= every);
        match self.progress {
            Progress::Off => {}
            Progress::Live => {
                if due(LIVE_EVERY) {
                    let text = text();
                    let width = text.chars().count();
                    let pad = self.live_width.saturating_sub(width);
                    let _ = write!(self.out, "\r{text}{:pad$}", "");
                    let _ = self.out.flush();
                    self.live_width = width;
                    self.last_shown = Some(now);
                }
            }
            Progress::Lines => {
                if now - self.step_started >= LINES_EVERY && due(LINES_EVERY) {
                    let _ = writeln!(self.out, "{}", text());
                    let _ = self.out.flush();
                    self.last_shown = Some(now);
                }
            }
        }
    }

    /// Blanks out a live progress line, if one is on screen.
    fn clear(&mut self) {
        if self.live_width > 0 {
            let _ = write!(self.out, "\r{:width$}\r", "", width = self.live_width);
            self.live_width = 0;
        }
    }
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// An optional value as the notes print it: the value, or `?` when the answer had none.
pub(crate) fn shown<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "?".to_owned(), |value| value.to_string())
}

/// A duration as people read it: `850 ms`, `3.0 s`.
pub(crate) fn duration(d: Duration) -> String {
    let mut text = String::new();
    if d < Duration::from_secs(1) {
        let _ = write!(text, "{} ms", d.as_millis());
    } else {
        let _ = write!(text, "{:.1} s", d.as_secs_f64());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_durations_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(15_847), "15,847");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(duration(Duration::from_millis(7)), "7 ms");
        assert_eq!(duration(Duration::from_millis(3_040)), "3.0 s");
    }

    #[test]
    fn live_progress_is_blanked_before_the_next_line() {
        let mut buffer = Vec::new();
        let mut output = Output::new(&mut buffer, Progress::Live);
        output.progress(|| "12 readings".into());
        output.line("done");
        let text = String::from_utf8(buffer).expect("utf-8");
        assert_eq!(text, "\r12 readings\r           \rdone\n");
    }

    #[test]
    fn plain_progress_waits_a_second_and_off_writes_nothing() {
        let mut buffer = Vec::new();
        let mut output = Output::new(&mut buffer, Progress::Lines);
        output.progress(|| "too early".into());
        let mut off = Vec::new();
        let mut quiet = Output::new(&mut off, Progress::Off);
        quiet.progress(|| "never".into());
        assert!(buffer.is_empty());
        assert!(off.is_empty());
    }
}
