//! Loading, parsing and evaluating Meridian spec files.

pub mod fmt;
