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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
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
/// lowest first; the results in the order of `i`.
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
    let threads = workers(count);
    // Every worker is spawned, even one alone: the calling thread's arena holds the model
    // among the holes of the decoded files (see the module's docs).
    std::thread::scope(|scope| {
        for _ in 0..threads {
            spawn(scope, work);
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

/// [`on_threads`] on threads with arenas of their own: the arenas the generator's ended
/// threads left are held, by one idle thread each, until the work is done.
pub(crate) fn on_fresh_threads<T: Send>(count: usize, job: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
    // The phases before ran at most `workers` threads at once, one phase after the other, each
    // thread taking an arena an earlier one left: at most that many arenas are free.
    let holders = ENDED.load(Ordering::Relaxed).min(workers(usize::MAX));
    if holders == 0 {
        return on_threads(count, job);
    }
    let held = Barrier::new(holders + 1);
    std::thread::scope(|scope| {
        // Each holder waits until its sender is dropped: when the work is done, or when a job
        // panics (the panic then reaches the caller instead of the scope waiting forever).
        let mut release = Vec::with_capacity(holders);
        for _ in 0..holders {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            release.push(tx);
            let held = &held;
            spawn(scope, move || {
                // A thread takes its arena at its first allocation.
                drop(std::hint::black_box(Box::new(0u64)));
                held.wait();
                let _ = rx.recv();
            });
        }
        held.wait();
        let results = on_threads(count, job);
        drop(release);
        results
    })
}
