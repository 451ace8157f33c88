//! Passwords: argon2id hashing (19 MiB, 2 passes, 1 lane — the OWASP/NIST floor) on the
//! hasher's own threads, and the password rules of NIST SP 800-63B: length over composition, not the
//! username, not a common password.

use std::collections::HashSet;

use argon2::password_hash::phc::Output;
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher, Version};

use crate::error::AppError;

/// The shortest password accepted.
pub const MIN_LEN: usize = 12;
/// The longest password accepted (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string. CPU-heavy: call through [`Hasher::hash`].
pub fn hash(password: &str) -> Result<String, AppError> {
    hasher()?
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("argon2 hash: {e}")))
}

/// Whether `password` matches `phc`. A malformed stored hash never matches. The 19 MiB of
/// argon2's working memory is the calling thread's own, kept between calls ([`with_memory`]).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut computed = vec![0u8; expected.len()];
    let hashed = with_memory(blocks, |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, memory)
    });
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&computed).is_ok_and(|computed| &computed == expected)
}

thread_local! {
    /// argon2's working memory, kept by each thread that verifies (the hasher's threads).
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Gives this thread's argon2 memory back (an idle hashing thread).
fn release_memory() {
    MEMORY.with(|memory| *memory.borrow_mut() = Vec::new());
}

/// Runs `work` on `blocks` blocks of this thread's argon2 memory, zeroed afterwards (no
/// password-derived state stays behind). Allocating 19 MiB for every verification meant an
/// `mmap`, 4,864 page faults and a `munmap` each time: verifications a second on the 2-core
/// bench machine went from 64 to 75–94 once the memory was kept (BENCHMARKS.md).
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let memory = &mut memory[..blocks];
        let answer = work(memory);
        memory.fill(Block::default());
        answer
    })
}

/// Runs argon2 off the async workers, on threads of its own (one per core), at most one hash
/// per core at a time: each takes 19 MiB and a core for tens of milliseconds, so a burst of
/// logins queues here instead of starving every other request and growing memory. Each thread
/// keeps its 19 MiB between verifications ([`verify`]) until it has idled for
/// [`RELEASE_AFTER`], so the memory stays bounded by the
/// cores however many logins come. Callers hold no database connection while they wait or hash.
///
/// The threads run at the lowest priority ([`HASH_NICE`]): a login burst then takes the cores
/// only when nothing else wants them (Linux; elsewhere they keep the workers' priority). Beside
/// a login load on 2 cores, personnel reads kept 93–111% of their throughput alone (49–63% at
/// the workers' priority) and a p99 of 3.1–4.9 ms (7.1–8.5 ms); logins alone still reach
/// 0.78–0.97 of argon2 on all cores (BENCHMARKS.md).
#[derive(Debug)]
pub struct Hasher {
    permits: tokio::sync::Semaphore,
    jobs: std::sync::mpsc::Sender<Job>,
    /// How long a caller waits for a permit ([`PERMIT_WAIT`]).
    wait: std::time::Duration,
}

/// The longest a login (or a password change) waits for a hashing thread. A login takes tens
/// of milliseconds; one that has waited this long is behind a queue the cores cannot clear
/// soon (a login flood, or other work saturating them while the hashing threads run at the
/// lowest priority), and answers 503 with `Retry-After` instead of waiting without bound.
const PERMIT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a hashing thread keeps its argon2 memory without work: after a burst of logins the
/// process gives the 19 MiB a core back.
const RELEASE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// The hashing threads' nice value: the lowest priority. Under a full load a login waits longer
/// (8 login connections beside a read load got 1–8 logins/s instead of 32–41), never the
/// requests that need a core for a tenth of a millisecond.
const HASH_NICE: i32 = 19;

/// Lowers the calling thread (a hashing thread) to [`HASH_NICE`]. Linux sets a thread's nice
/// value by its thread id; elsewhere this does nothing.
fn lower_priority() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASH_NICE)?;
    Ok(())
}

/// One hash or verification, with where its answer goes.
type Job = Box<dyn FnOnce() + Send>;

impl Hasher {
    /// At most `concurrent` hashes at once (at least one), on as many threads.
    pub fn new(concurrent: usize) -> Self {
        let concurrent = concurrent.max(1);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for index in 0..concurrent {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    if let Err(error) = lower_priority() {
                        tracing::warn!(%error, "a hashing thread keeps the workers' priority");
                    }
                    // Ends when the hasher (the sending side) is dropped.
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv_timeout(RELEASE_AFTER),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => release_memory(),
                            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        Self {
            permits: tokio::sync::Semaphore::new(concurrent),
            jobs,
            wait: PERMIT_WAIT,
        }
    }

    /// The same, with callers waiting at most `wait` for a permit.
    #[cfg(test)]
    fn with_wait(self, wait: std::time::Duration) -> Self {
        Self { wait, ..self }
    }

    /// One hash at a time per core of the machine.
    pub fn for_cores() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }

    /// [`hash`], bounded.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash(&password)).await?
    }

    /// [`verify`], bounded.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, AppError> {
        self.run(move || verify(&password, &phc)).await
    }

    /// Runs `work` on a hashing thread once a permit is free, and waits for its answer; 503
    /// when no permit came free within the wait.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| AppError::Unavailable("every password hashing thread is busy".into()))?
            .map_err(|_| AppError::Internal("the password hasher is closed".into()))?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                // A caller that went away (its client hung up) costs no hash.
                if !answer.is_closed() {
                    let _ = answer.send(work());
                }
            }))
            .map_err(|_| AppError::Internal("the password hashing threads have stopped".into()))?;
        answered
            .await
            .map_err(|_| AppError::Internal("a password hashing thread stopped".into()))
    }
}

/// The password rules, with the bundled list of common passwords loaded once at start.
#[derive(Debug)]
pub struct PasswordPolicy {
    common: HashSet<&'static str>,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordPolicy {
    /// Loads the bundled list.
    pub fn new() -> Self {
        let common = COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        Self { common }
    }

    /// Checks a new password; the error is the message for the `password` field.
    pub fn check(&self, password: &str, username: &str) -> Result<(), String> {
        let length = password.chars().count();
        if length < MIN_LEN {
            return Err(format!("must be at least {MIN_LEN} characters"));
        }
        if length > MAX_LEN {
            return Err(format!("must be at most {MAX_LEN} characters"));
        }
        let lower = password.to_lowercase();
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err("must not contain the username".into());
        }
        let mut chars = lower.chars();
        if let Some(first) = chars.next()
            && chars.all(|c| c == first)
        {
            return Err("must not be one character repeated".into());
        }
        if self.is_common(&lower) {
            return Err("is too common; choose a longer phrase that others would not".into());
        }
        Ok(())
    }

    /// A listed password, or one padded with digits and symbols, or repeated.
    fn is_common(&self, lower: &str) -> bool {
        if self.common.contains(lower) {
            return true;
        }
        let core = lower.trim_matches(|c: char| !c.is_alphabetic());
        if core.chars().count() >= 6 && core.len() * 2 >= lower.len() && self.common.contains(core)
        {
            return true;
        }
        // "passwordpassword", "qwerty123qwerty123"
        (1..=lower.len() / 2).any(|size| {
            lower.len().is_multiple_of(size)
                && lower.is_char_boundary(size)
                && lower[..size].repeat(lower.len() / size) == lower
                && (size < 6 || self.common.contains(&lower[..size]))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashing_runs_on_the_hashers_own_threads_which_keep_their_memory() {
        let hasher = Hasher::new(1);
        let phc = hasher.hash("a fine long passphrase".into()).await.unwrap();
        assert!(
            hasher
                .verify("a fine long passphrase".into(), phc.clone())
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("another passphrase".into(), phc)
                .await
                .unwrap()
        );
        let (thread, kept) = hasher
            .run(|| {
                let name = std::thread::current().name().map(str::to_owned);
                (name, MEMORY.with(|memory| memory.borrow().len()))
            })
            .await
            .unwrap();
        assert_eq!(thread.as_deref(), Some("argon2-0"));
        assert_eq!(kept, 19 * 1024);
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn a_hash_made_with_other_parameters_verifies_by_its_own_and_memory_is_reused() {
        // Stored before a change of parameters (argon2i, less memory, three passes): read from
        // the string, on the same thread's memory as a hash of today's parameters.
        let old = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(8 * 1024, 3, 1, None).unwrap(),
        )
        .hash_password(b"an older passphrase")
        .unwrap()
        .to_string();
        let today = hash("a newer passphrase").unwrap();
        for _ in 0..2 {
            assert!(verify("an older passphrase", &old));
            assert!(verify("a newer passphrase", &today));
            assert!(!verify("a newer passphrase", &old));
        }
        let kept = MEMORY.with(|memory| {
            let memory = memory.borrow();
            (
                memory.len(),
                memory
                    .iter()
                    .all(|block| block.as_ref().iter().all(|word| *word == 0)),
            )
        });
        assert_eq!(
            kept,
            (19 * 1024, true),
            "kept for the next call, and zeroed"
        );
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_the_lowest_priority_and_the_caller_keeps_its_own() {
        let hasher = Hasher::new(1);
        let nice = || rustix::process::getpriority_process(Some(rustix::thread::gettid()));
        let caller = nice().unwrap();
        let hashing = hasher.run(nice).await.unwrap().unwrap();
        assert_eq!(hashing, HASH_NICE);
        assert_eq!(
            nice().unwrap(),
            caller,
            "only the hashing thread was lowered"
        );
    }

    #[tokio::test]
    async fn a_caller_that_waits_too_long_for_a_hashing_thread_is_told_to_come_back() {
        let hasher = Hasher::new(1).with_wait(std::time::Duration::from_millis(50));
        let busy = hasher.permits.acquire().await.unwrap();
        let refused = hasher
            .verify("a passphrase".into(), "$argon2id$x".into())
            .await;
        assert!(
            matches!(refused, Err(AppError::Unavailable(_))),
            "{refused:?}"
        );
        drop(busy);
        assert!(
            !hasher
                .verify("a passphrase".into(), "$argon2id$x".into())
                .await
                .unwrap(),
            "served once a thread is free"
        );
    }

    #[tokio::test]
    async fn the_hasher_runs_no_more_than_its_permits_at_once() {
        let hasher = std::sync::Arc::new(Hasher::new(1));
        let busy = hasher.permits.acquire().await.unwrap();
        assert_eq!(hasher.permits.available_permits(), 0);
        let waiting = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.hash("correct horse battery staple".into()).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "waits for the permit");
        drop(busy);
        let phc = waiting.await.unwrap().unwrap();
        assert!(
            hasher
                .verify("correct horse battery staple".into(), phc)
                .await
                .unwrap()
        );
        assert_eq!(hasher.permits.available_permits(), 1);
    }

    #[test]
    fn length_is_bounded_both_ways() {
        let policy = PasswordPolicy::new();
        assert!(policy.check("short pass", "bob").is_err());
        assert!(policy.check(&"x1".repeat(65), "bob").is_err());
        assert!(policy.check("violet lantern harbor", "bob").is_ok());
    }

    #[test]
    fn the_username_and_common_passwords_are_refused() {
        let policy = PasswordPolicy::new();
        assert!(
            policy
                .check("dispatcher-jones-2026", "Dispatcher-Jones")
                .is_err()
        );
        assert!(policy.check("qwertyuiop123", "bob").is_err(), "listed");
        assert!(policy.check("password1234", "bob").is_err(), "padded");
        assert!(
            policy.check("Password!2024", "bob").is_err(),
            "padded, any case"
        );
        assert!(policy.check("monkeymonkey", "bob").is_err(), "repeated");
        assert!(
            policy.check("aaaaaaaaaaaaaa", "bob").is_err(),
            "one character"
        );
        assert!(
            policy.check("abcabcabcabc", "bob").is_err(),
            "short unit repeated"
        );
    }
}
