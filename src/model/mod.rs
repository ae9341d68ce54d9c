//! The domain model: instruments, bars, orders (with their state machine) and fills.
//! Money and quantities are `rust_decimal::Decimal`; time is [`Timestamp`].

pub mod bar;
pub mod fill;
pub mod instrument;
pub mod order;
pub mod time;

pub use bar::Bar;
pub use fill::{Fill, Liquidity};
pub use instrument::{Calendar, Instrument, SymbolId};
pub use order::{InvalidTransition, Order, OrderEvent, OrderId, OrderKind, OrderQty, OrderStatus, Side, TimeInForce};
pub use time::Timestamp;
