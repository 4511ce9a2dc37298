//! meridian-catalog
