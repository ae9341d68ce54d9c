//! Strategies behind one trait.
