//! Loading, parsing and evaluating Meridian spec files.
//!
//! [`load`] reads a spec (one file, or every `*.hcl` in a directory, merged), parses each
//! file with `hcl-edit` (which keeps the byte span of every node), evaluates variables, locals
//! and expressions, and decodes every block into the raw types of [`types`], each value with
//! its span. It never stops at the first problem: every finding goes to the returned
//! diagnostics, and whatever could be decoded is returned with them.

mod blocks;
mod decode;
mod eval;
pub mod fmt;
mod functions;
mod load;
pub mod schema;
pub mod syntax;
pub mod types;
pub mod value;

pub use decode::SECRET_SCAN_MIN_LEN;
pub use eval::{FUNCTIONS, ROOTS};
pub use load::{
    auto_var_files, discover, load, load_text, InputKind, Inputs, Loaded, AUTO_VAR_FILE_SUFFIX,
    DEFAULT_VAR_FILE,
};
pub use types::*;
pub use value::{BlockRef, SValue, Value, VarType};

/// The top-level block types of the language, in documentation order.
pub const TOP_LEVEL_BLOCKS: &[&str] = &[
    "meridian",
    "variable",
    "locals",
    "provider",
    "residency",
    "model",
    "access",
    "logging",
    "policy",
    "emit",
];

/// Provider types.
pub const PROVIDER_TYPES: &[&str] = &["aws", "azure", "gcp"];
