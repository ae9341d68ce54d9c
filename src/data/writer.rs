//! Writes bars back out as CSV in the project's one layout. Used to make fixture and
//! benchmark files from synthetic bars, and by tests that round-trip data through the
//! loaders; what it writes must read back to exactly the same bars, so decimals are
//! written normalised (`100`, not `100.00`) and timestamps in `Timestamp`'s own ISO form.

use super::parse::format_iso_fast;
use crate::model::Bar;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `timestamp,open,high,low,close,volume` and one line per bar.
pub fn write_csv(bars: &[Bar], path: &Path) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, File::create(path)?);
    out.write_all(b"timestamp,open,high,low,close,volume\n")?;
    let mut iso = [0u8; 19];
    for bar in bars {
        if format_iso_fast(bar.ts, &mut iso).is_some() {
            out.write_all(&iso)?;
        } else {
            write!(out, "{}", bar.ts)?;
        }
        writeln!(
            out,
            ",{},{},{},{},{}",
            bar.open.normalize(),
            bar.high.normalize(),
            bar.low.normalize(),
            bar.close.normalize(),
            bar.volume.normalize()
        )?;
    }
    out.flush()
}
