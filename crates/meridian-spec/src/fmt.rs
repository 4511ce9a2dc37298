//! Canonical formatting of spec files.
