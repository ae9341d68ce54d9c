//! Scenario files: the TOML schema, and its validation into a [`Scenario`].

pub mod config;

pub use config::*;
