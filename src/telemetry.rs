//! Logging: JSON lines by default (one object per line, with the request span's `request_id`),
//! or text for a terminal; filtered by `RUST_LOG`.
//!
//! Policy: log ids, routes, statuses and latencies. Never names, narratives, call details or
//! request bodies; a 5xx logs its cause, which never contains row values.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. Later calls are ignored (tests start many apps).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
