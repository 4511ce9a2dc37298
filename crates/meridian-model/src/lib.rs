//! meridian-model
