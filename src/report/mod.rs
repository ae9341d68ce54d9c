//! Reports: metrics, writers (JSON, Markdown, CSV) and charts.
