//! Scenario files: the TOML schema, and its validation into a [`Scenario`].

pub mod config;
pub mod error;
pub mod parse;
pub mod paths;
mod tree;

pub use config::*;
pub use error::{FieldError, ScenarioErrors};
pub use parse::{load, parse_str};
