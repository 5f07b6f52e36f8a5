//! Work spread over threads, and where that work's memory comes from.
//!
//! glibc's malloc gives each thread an arena, and a thread that ends leaves its arena to the
//! next thread that starts. The threads of the front end (decoding, resolving) leave theirs
//! holding long-lived values (the model, its docs) among the holes the dropped decoded files
//! left; emitting and formatting make and drop many small values, which cost there about a
//! fifth more of the whole run's CPU time than in an arena of their own (at 1000x the IDL).
//! So the emitters run on [`on_fresh_threads`]: while they work, idle threads hold the arenas
//! the generator's ended threads left, and the emitters start with new ones. Elsewhere (other
//! allocators, other C libraries) the holders only cost an idle thread each.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{Scope, ScopedJoinHandle};

/// At most this many workers at once.
const MAX_THREADS: usize = 4;

/// The threads spawned through [`spawn`] that have ended, each leaving an arena.
static ENDED: AtomicUsize = AtomicUsize::new(0);

/// `scope.spawn(f)`, counting the thread's end (see the module's docs).
pub(crate) fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> ScopedJoinHandle<'scope, T> {
    scope.spawn(move || {
        let result = f();
        ENDED.fetch_add(1, Ordering::Relaxed);
        result
    })
}

/// How many workers `count` jobs get: one per core, at most [`MAX_THREADS`].
fn workers(count: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_THREADS)
        .min(count)
}

/// Runs `job(i)` for every `i` below `count`, on up to [`MAX_THREADS`] spawned threads, the
/// lowest first; the results in the order of `i`. A job's panic reaches the caller.
pub(crate) fn on_threads<T: Send>(count: usize, job: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::with_capacity(count));
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                break;
            }
            let result = job(i);
            done.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((i, result));
        }
    };
    // Every worker is spawned, even one alone: the calling thread's arena holds long-lived
    // values (the doc text it decoded) among the holes of the dropped decoded files.
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers(count)).map(|_| spawn(scope, work)).collect();
        // Joined one by one, not left to the scope: a join returns once the thread has
        // exited, which is when glibc gives its arena back for the next thread to take.
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

/// [`on_threads`] on threads with arenas of their own: the arenas the generator's ended
/// threads left are held, by one idle thread each, until the work is done.
pub(crate) fn on_fresh_threads<T: Send>(count: usize, job: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
    // Each phase before ran at most `workers` threads at once, each taking an arena an ended
    // one left; an earlier generation in the same process (a build script with two IDLs) ended
    // its holders and its emitters together: at most twice that many arenas are free.
    let holders = ENDED.load(Ordering::Relaxed).min(2 * workers(usize::MAX));
    std::thread::scope(|scope| {
        let (ready, all_ready) = std::sync::mpsc::channel::<()>();
        // Each holder waits until its sender is dropped: when the work is done, or when a job
        // panics (which then reaches the caller instead of the scope waiting forever).
        let mut release = Vec::with_capacity(holders);
        for _ in 0..holders {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let ready = ready.clone();
            let holder = move || {
                // A thread takes its arena at its first allocation.
                drop(std::hint::black_box(Box::new(0u64)));
                let _ = ready.send(());
                drop(ready);
                let _ = rx.recv();
                ENDED.fetch_add(1, Ordering::Relaxed);
            };
            // A holder the system refuses to start is one arena less held, not a failure.
            if std::thread::Builder::new()
                .spawn_scoped(scope, holder)
                .is_err()
            {
                break;
            }
            release.push(tx);
        }
        // Until every holder that started has taken its arena.
        drop(ready);
        while all_ready.recv().is_ok() {}
        let results = on_threads(count, job);
        drop(release);
        results
    })
}
