//! Request counters and latency histograms in Prometheus text format, kept in memory by route
//! pattern (never the raw path, so ids do not explode the label set).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The service's request metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// The pool figures shown next to the request metrics.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    /// Most connections allowed.
    pub max_size: usize,
    /// Connections open.
    pub size: usize,
    /// Connections idle.
    pub available: usize,
    /// Requests waiting for one.
    pub waiting: usize,
}

impl Metrics {
    /// Counts one finished request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let histogram = inner.latency.entry(route.to_owned()).or_default();
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// The Prometheus text exposition.
    pub fn render(&self, pool: PoolState) -> String {
        let (requests, latency) = match self.inner.lock() {
            Ok(inner) => (inner.requests.clone(), inner.latency.clone()),
            Err(_) => Default::default(),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP http_requests_total HTTP requests by method, route pattern and status.\n# TYPE http_requests_total counter"
        );
        for ((method, route, status), count) in &requests {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP http_request_duration_seconds Request latency by route pattern.\n# TYPE http_request_duration_seconds histogram"
        );
        for (route, histogram) in &latency {
            let route = escape(route);
            for (count, bound) in histogram.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\nhttp_request_duration_seconds_sum{{route=\"{route}\"}} {}\nhttp_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count, histogram.sum, histogram.count
            );
        }
        for (name, help, value) in [
            (
                "db_pool_max_size",
                "Most connections the pool may hold.",
                pool.max_size,
            ),
            ("db_pool_size", "Connections open.", pool.size),
            ("db_pool_available", "Idle connections.", pool.available),
            (
                "db_pool_waiting",
                "Requests waiting for a connection.",
                pool.waiting,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_buckets_add_up() {
        let metrics = Metrics::default();
        metrics.observe_request("GET", "/healthz", 200, Duration::from_millis(3));
        metrics.observe_request("GET", "/healthz", 200, Duration::from_millis(30));
        let text = metrics.render(PoolState {
            max_size: 10,
            size: 2,
            available: 1,
            waiting: 0,
        });
        assert!(
            text.contains(
                "http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
            )
        );
        assert!(
            text.contains(
                "http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 1"
            )
        );
        assert!(
            text.contains("http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.05\"} 2")
        );
        assert!(text.contains("http_request_duration_seconds_count{route=\"/healthz\"} 2"));
        assert!(text.contains("db_pool_size 2"));
    }
}
