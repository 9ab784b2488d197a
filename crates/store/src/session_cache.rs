//! The cache of live sessions a server keeps on PostgreSQL (decision 0054). Every API call and
//! page reads its session; on PostgreSQL that round trip was a third of a payment's cost over
//! HTTP. A server that watches for session changes keeps each live session it read for a few
//! seconds. Any committed change that could end or alter a session — a logout, a password
//! change, a disabled user, a new business date, from any server or tool — fires a trigger's
//! `NOTIFY` (migration 0042), and every watching server drops its whole cache. A server that is
//! not listening (SQLite, CLI tools, a lost listener connection) does not cache at all, and no
//! entry outlives [`SESSION_CACHE_TTL`] even if a notification is lost on the wire.

use crate::sessions::SessionUser;
use crate::{Pool, Store};
use jixiao_core::time::Micros;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The channel the triggers of migration 0042 notify.
pub(crate) const SESSION_CHANGES: &str = "jixiao_session_changes";

/// The longest a cached session is used without reading it again: the bound on how late a
/// change reaches a server if its notification is lost.
pub const SESSION_CACHE_TTL: Duration = Duration::from_secs(5);

/// The most sessions one server keeps; past it the cache drops what is stale, then everything.
const MAX_ENTRIES: usize = 20_000;

struct Entry {
    session: SessionUser,
    /// When the read it holds began (the lifetime counts from then).
    cached_at: Instant,
    /// When the session itself ends (microseconds since the epoch).
    expires_at: Micros,
    /// Whether the business date is the calendar's (no date set for the jurisdiction): then it
    /// is read from the clock on each use, so a cached session crosses midnight with it.
    follows_calendar: bool,
}

#[derive(Default)]
struct Inner {
    /// Whether this server hears changes (only then may it cache): its listener is listening
    /// and its own ping came back on it.
    listening: bool,
    /// Bumped by every drop, so a read that began before a change cannot store what it read.
    generation: u64,
    entries: HashMap<String, Entry>,
}

/// Live sessions by token digest, for the few seconds between reads (see the module doc).
#[derive(Default)]
pub(crate) struct SessionCache {
    inner: Mutex<Inner>,
}

/// Shows only how many sessions are cached: the entries hold CSRF tokens.
impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("SessionCache")
            .field("listening", &inner.listening)
            .field("entries", &inner.entries.len())
            .finish()
    }
}

impl SessionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves nothing half-written worth keeping.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached session for `digest`, if fresh and not yet expired.
    pub(crate) fn get(&self, digest: &str, now: Micros) -> Option<SessionUser> {
        let inner = self.lock();
        if !inner.listening {
            return None;
        }
        let entry = inner.entries.get(digest)?;
        if entry.cached_at.elapsed() >= SESSION_CACHE_TTL || now >= entry.expires_at {
            return None;
        }
        let mut session = entry.session.clone();
        if entry.follows_calendar {
            session.business_date = jixiao_core::time::today();
        }
        Some(session)
    }

    /// The generation a read must quote to store what it reads; `None` when not listening.
    pub(crate) fn generation(&self) -> Option<u64> {
        let inner = self.lock();
        inner.listening.then_some(inner.generation)
    }

    /// Keeps a session read while the cache was at `generation`, unless a change was heard
    /// since (then what was read may already be stale).
    pub(crate) fn put(
        &self,
        generation: u64,
        read_at: Instant,
        session: SessionUser,
        expires_at: Micros,
        follows_calendar: bool,
    ) {
        let mut inner = self.lock();
        if !inner.listening || inner.generation != generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner
                .entries
                .retain(|_, entry| entry.cached_at.elapsed() < SESSION_CACHE_TTL);
            if inner.entries.len() >= MAX_ENTRIES {
                inner.entries.clear();
            }
        }
        inner.entries.insert(
            session.token_digest.clone(),
            Entry {
                session,
                cached_at: read_at,
                expires_at,
                follows_calendar,
            },
        );
    }

    /// Drops every cached session (a change was committed or heard).
    pub(crate) fn forget_all(&self) {
        let mut inner = self.lock();
        inner.generation = inner.generation.wrapping_add(1);
        inner.entries.clear();
    }

    /// The server's own ping came back: notices arrive, so caching may start (if it had not).
    pub(crate) fn hear_ping(&self) {
        let mut inner = self.lock();
        if !inner.listening {
            inner.listening = true;
            inner.generation = inner.generation.wrapping_add(1);
            inner.entries.clear();
        }
    }

    /// Stops caching (the listener is gone or deaf) and drops what was cached.
    pub(crate) fn stop_listening(&self) {
        let mut inner = self.lock();
        inner.listening = false;
        inner.generation = inner.generation.wrapping_add(1);
        inner.entries.clear();
    }

    /// How many sessions are cached now.
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }
}

/// Stops caching when the listener's task ends or is aborted.
pub(crate) struct StopsCaching<'a>(pub(crate) &'a SessionCache);

impl Drop for StopsCaching<'_> {
    fn drop(&mut self) {
        self.0.stop_listening();
    }
}

/// How often a server pings its own listener through its pool, to prove that notices still
/// arrive; and how long without hearing anything counts as deaf (a connection that died without
/// either side noticing, or a pooler that accepts `LISTEN` and delivers nothing).
const PING_EVERY: Duration = Duration::from_secs(2);
const DEAF_AFTER: Duration = Duration::from_secs(5);

/// A listener on a connection of its own, listening to the changes and to this server's ping
/// channel, and the pool it came from: two connections, neither of the request pool's (a busy
/// pool must not delay the pings), the second for the pings.
async fn listen(pool: &PgPool, ping_channel: &str) -> sqlx::Result<(PgListener, PgPool)> {
    let own = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with((*pool.connect_options()).clone());
    let mut listener = PgListener::connect_with(&own).await?;
    // A lost connection ends the loop below, which stops caching before listening again.
    listener.eager_reconnect(false);
    listener.listen_all([SESSION_CHANGES, ping_channel]).await?;
    Ok((listener, own))
}

/// Sends a ping to `channel` every [`PING_EVERY`], the first at once.
async fn ping_every_few_seconds(pool: PgPool, channel: String) {
    let mut every = tokio::time::interval(PING_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = sqlx::query("SELECT pg_notify($1, '')")
            .bind(&channel)
            .execute(&pool)
            .await
        {
            tracing::debug!("session cache: ping not sent: {e}");
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Store {
    /// Listens for committed changes to sessions, users, agencies and business dates, and
    /// keeps this store's session cache (shared by its clones) only while it hears: a server
    /// runs it for as long as it serves. Caching starts when the server's own ping, sent
    /// through its pool, has come back on the new listener; each change's notice drops every
    /// cached session; a lost connection, or [`DEAF_AFTER`] without hearing even a ping, stops
    /// the caching until a new listener hears again. Ends when the store is closed; returns at
    /// once on SQLite, which never caches (other processes may write the same file without
    /// telling).
    pub async fn watch_session_changes(&self) {
        let Pool::Postgres(pool) = &self.pool else {
            return;
        };
        let cache = &*self.session_cache;
        let _stops = StopsCaching(cache);
        let ping_channel = match jixiao_core::token::new_secret() {
            Ok(secret) => format!("jixiao_session_ping_{}", &secret[..16]),
            Err(e) => {
                tracing::warn!("session cache: not used: {e}");
                return;
            }
        };
        // Pauses between attempts grow while the listener hears nothing (1 s, 2 s, … 60 s).
        let mut pause = Duration::from_secs(1);
        while !pool.is_closed() {
            match listen(pool, &ping_channel).await {
                Ok((mut listener, own)) => {
                    let pings = AbortOnDrop(tokio::spawn(ping_every_few_seconds(
                        own.clone(),
                        ping_channel.clone(),
                    )));
                    loop {
                        match tokio::time::timeout(DEAF_AFTER, listener.try_recv()).await {
                            Ok(Ok(Some(notice))) if notice.channel() == SESSION_CHANGES => {
                                cache.forget_all()
                            }
                            Ok(Ok(Some(_ping))) => {
                                cache.hear_ping();
                                pause = Duration::from_secs(1);
                            }
                            Ok(Ok(None)) => {
                                tracing::warn!("session cache: listener connection lost");
                                break;
                            }
                            Ok(Err(e)) => {
                                tracing::warn!("session cache: listener failed: {e}");
                                break;
                            }
                            Err(_) => {
                                tracing::warn!(
                                    "session cache: nothing heard for {DEAF_AFTER:?}, not even \
                                     this server's ping; not caching until it is heard again"
                                );
                                break;
                            }
                        }
                    }
                    cache.stop_listening();
                    // Not awaited: over a half-open socket the listener's goodbye can hang until
                    // the kernel gives up; the connections close when the last one is returned.
                    drop((pings, listener, own));
                }
                Err(e) => tracing::warn!("session cache: cannot listen for changes: {e}"),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(60));
        }
    }

    /// How many sessions this store has cached (0 unless it is watching for changes).
    pub fn cached_sessions(&self) -> usize {
        self.session_cache.len()
    }

    /// Commits a change to what a session reads (a session, a user, a business date) and drops
    /// this store's cached sessions at once; other servers drop theirs when the trigger's notice
    /// reaches them.
    pub(crate) async fn commit_session_change(&self, tx: crate::tx::Tx) -> crate::Result<()> {
        tx.commit().await?;
        self.session_cache.forget_all();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::SessionKind;
    use jixiao_core::Role;

    fn session(digest: &str) -> SessionUser {
        SessionUser {
            user: crate::users::User {
                id: 1,
                username: "finance".into(),
                display_name: "财政".into(),
                role: Role::Finance,
                jurisdiction: Some("371481".into()),
                agency_id: None,
                agency_code: None,
                agency_name: None,
                disabled: false,
                must_change_password: false,
            },
            kind: SessionKind::Api,
            csrf_token: "c".into(),
            token_digest: digest.into(),
            business_date: chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("date"),
        }
    }

    const NOW: Micros = 1_000;

    /// A cache that hears (its ping came back), and its generation.
    fn listening() -> (SessionCache, u64) {
        let cache = SessionCache::default();
        cache.hear_ping();
        let generation = cache.generation().expect("listening once a ping is heard");
        (cache, generation)
    }

    /// Keeps `digest`'s session, read now, ending just after `NOW`.
    fn keep(cache: &SessionCache, generation: u64, digest: &str) {
        cache.put(generation, Instant::now(), session(digest), NOW + 1, false);
    }

    #[test]
    fn nothing_is_cached_unless_listening() {
        let cache = SessionCache::default();
        assert_eq!(cache.generation(), None);
        keep(&cache, 0, "a");
        assert!(cache.get("a", NOW).is_none());
        cache.hear_ping();
        let generation = cache.generation().expect("listening");
        keep(&cache, generation, "a");
        assert!(cache.get("a", NOW).is_some());
        cache.stop_listening();
        assert!(cache.get("a", NOW).is_none());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn the_first_ping_heard_starts_caching_and_later_ones_keep_what_is_cached() {
        let (cache, generation) = listening();
        keep(&cache, generation, "a");
        cache.hear_ping();
        assert!(cache.get("a", NOW).is_some());
        assert_eq!(cache.generation(), Some(generation));
    }

    #[test]
    fn a_copy_lives_from_the_start_of_its_read() {
        let (cache, generation) = listening();
        let long_ago = Instant::now()
            .checked_sub(SESSION_CACHE_TTL)
            .expect("the clock runs longer than that");
        cache.put(generation, long_ago, session("a"), NOW + 1, false);
        assert!(cache.get("a", NOW).is_none());
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_kept() {
        let (cache, before) = listening();
        cache.forget_all();
        keep(&cache, before, "a");
        assert!(cache.get("a", NOW).is_none());
        let after = cache.generation().expect("listening");
        keep(&cache, after, "a");
        assert!(cache.get("a", NOW).is_some());
    }

    #[test]
    fn an_expired_session_is_not_served() {
        let (cache, generation) = listening();
        cache.put(generation, Instant::now(), session("a"), NOW, false);
        assert!(cache.get("a", NOW - 1).is_some());
        assert!(cache.get("a", NOW).is_none());
    }

    #[test]
    fn a_change_drops_everything_and_the_guard_stops_caching() {
        let (cache, generation) = listening();
        keep(&cache, generation, "a");
        keep(&cache, generation, "b");
        assert_eq!(cache.len(), 2);
        cache.forget_all();
        assert_eq!(cache.len(), 0);
        let generation = cache.generation().expect("listening");
        keep(&cache, generation, "a");
        drop(StopsCaching(&cache));
        assert_eq!(cache.generation(), None);
        assert!(cache.get("a", NOW).is_none());
    }

    #[test]
    fn a_calendar_business_date_is_read_from_the_clock_on_each_use() {
        let (cache, generation) = listening();
        keep(&cache, generation, "set");
        cache.put(
            generation,
            Instant::now(),
            session("calendar"),
            NOW + 1,
            true,
        );
        let set = cache.get("set", NOW).expect("cached");
        assert_eq!(set.business_date.to_string(), "2000-01-01");
        let calendar = cache.get("calendar", NOW).expect("cached");
        assert_eq!(calendar.business_date, jixiao_core::time::today());
    }

    #[test]
    fn a_full_cache_never_grows_past_its_bound() {
        let (cache, generation) = listening();
        for i in 0..MAX_ENTRIES + 10 {
            keep(&cache, generation, &format!("{i:064}"));
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert!(
            cache
                .get(&format!("{:064}", MAX_ENTRIES + 9), NOW)
                .is_some()
        );
    }
}
