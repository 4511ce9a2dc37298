//! Where output goes and whether it is coloured.

use std::io::{IsTerminal, Write};

/// Output streams and presentation settings for one command run.
pub struct Output<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// ANSI colour on the error stream (diagnostics).
    pub color: bool,
}

/// Colour only on a terminal, never with `NO_COLOR`, `--no-color` or `CI=true`.
pub fn color_enabled(no_color_flag: bool) -> bool {
    !no_color_flag
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("CI").map_or(true, |v| v != "true")
        && std::io::stderr().is_terminal()
}
