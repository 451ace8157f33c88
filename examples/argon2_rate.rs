//! The database-free ceiling for logins: how many argon2id verifications per second this
//! machine's cores do with the service's own parameters and code (`auth::password::verify`),
//! one thread per core, for a few seconds. `bench/load.sh` compares login throughput with it.
//!
//!     cargo run --release --example argon2_rate -- [SECONDS] [THREADS]
#![allow(clippy::print_stdout)] // a command-line measurement: its answer is its output

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cit_api::auth::password;

fn main() -> Result<(), cit_api::error::AppError> {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5.0);
    let threads: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let phc = password::hash("a bench passphrase of some length")?;
    let done = AtomicU64::new(0);
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while Instant::now() < until {
                    assert!(password::verify("a bench passphrase of some length", &phc));
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let count = done.load(Ordering::Relaxed) as f64;
    println!(
        "{:.1} verifications/s ({threads} threads, {count} in {elapsed:.1} s, {:.1} ms each)",
        count / elapsed,
        elapsed * threads as f64 / count * 1e3
    );
    Ok(())
}
