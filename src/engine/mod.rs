//! The pure engine core: events in, commands out.
