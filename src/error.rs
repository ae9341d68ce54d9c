//! The library's top-level error: each module has its own typed error; this wraps them
//! so the binary can map each kind to one exit code.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
