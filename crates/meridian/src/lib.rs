//! The `meridian` command-line tool: each command is a library function here, called by the
//! thin clap layer in `main.rs`, so every command is testable without a process.

pub mod cli;
pub mod commands;
pub mod docs;
pub mod driver;
pub mod output;

/// Exit codes, as in Terraform.
pub mod exit {
    pub const OK: i32 = 0;
    pub const ERROR: i32 = 1;
    /// `plan --detailed-exitcode`: success with changes.
    pub const CHANGES: i32 = 2;
    /// `fmt --check`: files are not formatted.
    pub const UNFORMATTED: i32 = 3;
}
