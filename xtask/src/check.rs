//! Comparing fresh output with the committed file, and writing it when it changed.

use std::fs;
use std::io;
use std::path::Path;
use std::time::Duration;

use similar::{Algorithm, TextDiff};

/// Diffs longer than this are cut; the first screenful shows what kind of change it is.
pub const MAX_DIFF_LINES: usize = 200;

/// How the committed file relates to freshly generated output.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// Byte-identical.
    UpToDate,
    /// Different; carries the (possibly cut) unified diff from committed to fresh.
    Stale {
        /// The diff, ready to print.
        diff: String,
    },
    /// No committed file yet.
    Missing,
}

/// Reads the committed file, or `None` if there is none.
pub fn read_committed(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Compares `committed` (the file at `label`) with `fresh` byte for byte.
pub fn compare(label: &str, committed: Option<&[u8]>, fresh: &str) -> Status {
    match committed {
        None => Status::Missing,
        Some(bytes) if bytes == fresh.as_bytes() => Status::UpToDate,
        // A committed file that isn't UTF-8 is still diffed, just with replacement characters.
        Some(bytes) => Status::Stale {
            diff: unified_diff(
                label,
                &String::from_utf8_lossy(bytes),
                fresh,
                MAX_DIFF_LINES,
            ),
        },
    }
}

/// A unified diff from `old` (committed) to `new` (regenerated), headed with `label`, cut to
/// `max_lines` lines plus a note saying how many were left out. Empty when the texts are equal.
pub fn unified_diff(label: &str, old: &str, new: &str, max_lines: usize) -> String {
    // The deadline bounds the time on a file that changed completely; the diff is then less
    // minimal but still correct.
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(Duration::from_secs(2))
        .diff_lines(old, new);
    let full = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{label} (committed)"),
            &format!("{label} (regenerated)"),
        )
        .to_string();

    let total = full.lines().count();
    if total <= max_lines {
        return full;
    }
    let mut cut: String = full.split_inclusive('\n').take(max_lines).collect();
    cut.push_str(&format!(
        "... {} more diff lines not shown\n",
        total - max_lines
    ));
    cut
}

/// Writes `content` to `path` unless it already holds exactly that; returns whether it wrote.
///
/// The new content goes to a sibling temporary file that is then renamed over the target, so
/// a concurrent `cargo build` never sees a half-written file.
pub fn write_if_changed(path: &Path, content: &str) -> io::Result<bool> {
    if read_committed(path)?.as_deref() == Some(content.as_bytes()) {
        return Ok(false);
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".xtask-tmp");
    let tmp = path.with_file_name(tmp_name);
    fs::write(&tmp, content)?;
    if let Err(e) = fs::rename(&tmp, path) {
        // Best effort: the rename error is what the user needs to see.
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_give_an_empty_diff() {
        assert_eq!(unified_diff("f.rs", "a\nb\n", "a\nb\n", MAX_DIFF_LINES), "");
    }

    #[test]
    fn a_difference_is_reported_with_a_header() {
        let diff = unified_diff("src/f.rs", "a\nb\nc\n", "a\nB\nc\n", MAX_DIFF_LINES);
        assert_eq!(
            diff,
            "--- src/f.rs (committed)\n\
             +++ src/f.rs (regenerated)\n\
             @@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }

    #[test]
    fn long_diffs_are_cut_with_a_note() {
        let old: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let new: String = (0..100).map(|i| format!("LINE {i}\n")).collect();
        let diff = unified_diff("f.rs", &old, &new, 10);
        let lines: Vec<&str> = diff.lines().collect();
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[0], "--- f.rs (committed)");
        // 2 header lines + 1 hunk header + 200 changed lines, 10 shown.
        assert_eq!(lines[10], "... 193 more diff lines not shown");
    }

    #[test]
    fn compare_covers_all_outcomes() {
        assert_eq!(compare("f.rs", None, "x\n"), Status::Missing);
        assert_eq!(compare("f.rs", Some(b"x\n"), "x\n"), Status::UpToDate);
        let Status::Stale { diff } = compare("f.rs", Some(b"x\n"), "y\n") else {
            panic!("different content must be stale");
        };
        assert!(diff.contains("-x\n+y\n"), "{diff}");
    }

    #[test]
    fn write_if_changed_skips_identical_content() {
        let dir = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("generated.rs");
        let _ = fs::remove_file(&path);

        assert!(write_if_changed(&path, "one\n").expect("first write"));
        assert!(!write_if_changed(&path, "one\n").expect("same content"));
        assert!(write_if_changed(&path, "two\n").expect("changed content"));
        assert_eq!(fs::read_to_string(&path).expect("readable"), "two\n");
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .expect("listable")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, ["generated.rs"]);
        fs::remove_dir_all(&dir).expect("cleanup");
    }
}
