//! Validation rules. Each module checks one concern and pushes diagnostics.

pub(crate) mod access;
pub(crate) mod capability;
pub(crate) mod emit;
pub(crate) mod logging;
pub(crate) mod names;
pub(crate) mod policy;
pub(crate) mod providers;
pub(crate) mod residency;
pub(crate) mod secrets;
