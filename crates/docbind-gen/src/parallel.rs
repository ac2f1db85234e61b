//! Independent jobs on every core. Crates share nothing while they are generated, so the generator, the corpus
//! run and the codegen benchmark hand one crate to each free thread.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads to use: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` over `items` on up to `threads` threads (each takes the next item when it finishes one); results in the
/// order of `items`, whatever order they finished in. A panic in `f` is re-raised here.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let threads = threads.clamp(1, items.len().max(1));
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut finished = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { return finished };
                        finished.push((i, f(item)));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_input_order_with_uneven_jobs() {
        let items: Vec<u64> = (0..50).collect();
        // Early items take longest, so they finish last.
        let out = super::map(&items, 4, |&i| {
            std::thread::sleep(std::time::Duration::from_micros((50 - i) * 100));
            i * 2
        });
        assert_eq!(out, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(&Vec::<u64>::new(), 4, |&i| i).is_empty());
    }
}
