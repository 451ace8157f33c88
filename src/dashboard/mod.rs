//! The public dashboard: `GET /dashboard`, one server-rendered HTML page with the programme's
//! figures drawn as SVG (no script, no external asset), aggregates only, small counts
//! suppressed. The page is cached for [`CACHE_SECONDS`]: a busy public page costs the database
//! one set of reads a minute, whoever asks; concurrent misses wait for one rendering.

pub mod figures;
mod handlers;
pub mod page;
mod sections;
pub mod svg;

use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use utoipa_actix_web::service_config::ServiceConfig;

/// How long a rendered page is served before the figures are read again.
pub const CACHE_SECONDS: u64 = 60;

/// The last rendered page.
#[derive(Debug, Default)]
pub struct Cache(tokio::sync::Mutex<Option<(Instant, Bytes)>>);

impl Cache {
    /// The cached page if fresh, else one rendered by `render` (one caller at a time renders;
    /// the others wait for it and take its result).
    pub async fn get_or_render<F, Fut, E>(&self, render: F) -> Result<Bytes, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Bytes, E>>,
    {
        let mut cached = self.0.lock().await;
        if let Some((at, page)) = cached.as_ref()
            && at.elapsed() < Duration::from_secs(CACHE_SECONDS)
        {
            return Ok(page.clone());
        }
        let page = render().await?;
        *cached = Some((Instant::now(), page.clone()));
        Ok(page)
    }
}

/// Registers the route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::dashboard);
}
