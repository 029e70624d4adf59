//! Capturing what the SDK logs in one test while the tests of every module
//! run at once on other threads.
//!
//! A test captures with a subscriber set as its own thread's default
//! ([`scoped`]): `#[tokio::test]`'s runtime runs the SDK, the dev provider
//! and the app on that thread, and other threads log to their own default
//! (none). What is not per thread is `tracing`'s cache of whether a
//! callsite is wanted at all, computed once per callsite for the whole
//! process when it is first hit, and again when a subscriber is registered.
//! While at most one subscriber is registered, `tracing-core` (0.1.x,
//! `Dispatchers::has_just_one`) computes it from the default of the thread
//! that happens to hit the callsite first: an `oidc_core` callsite first hit
//! by another test's thread, which has no subscriber, while one test is
//! capturing is cached as "never", and that test silently misses every
//! event of it (in a CI run, every `done` event of a login). With one test
//! binary per file, `observability.rs` avoided this by running its tests one
//! at a time; in one binary, the other modules' tests run alongside.
//!
//! So, before the first capture, two subscribers are registered for the life
//! of the process that want every callsite "sometimes" and enable nothing.
//! From then on at least two subscribers are registered, the cache is
//! computed from all of them (never from one thread's default), and no
//! callsite is ever cached "never": every event asks the current thread's
//! own subscriber, which is exactly what a scoped capture needs. A callsite
//! whose registration was already under way while they were registered is
//! recomputed by the [`rebuild_interest_cache`] after each capture starts.
//!
//! [`rebuild_interest_cache`]: tracing::callsite::rebuild_interest_cache

use std::sync::OnceLock;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::{DefaultGuard, Interest};
use tracing::{Dispatch, Event, Metadata, Subscriber, span};

/// Wants every callsite "sometimes" (so `tracing` asks each event's thread)
/// and records nothing.
struct WantsEverything;

impl Subscriber for WantsEverything {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

/// Sets `subscriber` as this thread's default until the guard drops, so
/// that it sees every span and event of this thread that it enables, even
/// while other tests run (and log) on other threads.
pub(crate) fn scoped(subscriber: impl Subscriber + Send + Sync + 'static) -> DefaultGuard {
    // Two, kept for the life of the process: with at most one registered,
    // `tracing-core` would again ask only the first-hitting thread.
    static KEEPERS: OnceLock<[Dispatch; 2]> = OnceLock::new();
    KEEPERS.get_or_init(|| {
        [
            Dispatch::new(WantsEverything),
            Dispatch::new(WantsEverything),
        ]
    });
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    guard
}

/// What this module prevents, made to happen: a callsite first hit by a
/// thread without a subscriber while this thread captures is still seen
/// by the capture (without the two subscribers above, and with no other
/// test capturing at the time, it is cached "never" and the event is lost).
#[test]
fn a_callsite_first_hit_on_another_thread_during_a_capture_is_captured() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    struct Count(Arc<AtomicUsize>);
    impl<S: Subscriber> Layer<S> for Count {
        fn on_event(&self, _: &Event<'_>, _: Context<'_, S>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn log() {
        tracing::info!(target: "oidc_core", "first hit");
    }

    let count = Arc::new(AtomicUsize::new(0));
    let _guard = scoped(tracing_subscriber::registry().with(Count(Arc::clone(&count))));
    std::thread::spawn(log).join().unwrap();
    log();
    assert_eq!(count.load(Ordering::SeqCst), 1, "the event logged here");
}
