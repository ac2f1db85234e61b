//! Lazy page streams.
//!
//! `fetch` is called with the offset (or page number) of the next page and returns the page's
//! items plus the total count when the API reports one. The stream stops after a page that
//! is empty or shorter than the page size, when the total is reached, or after the first error
//! (which is yielded).

use std::future::Future;

use futures::stream::{self, Stream, StreamExt as _};

use crate::Error;

#[derive(Clone, Copy)]
enum Mode {
    /// `next = offset + items`.
    Offset,
    /// `next = page + 1`.
    Page,
}

struct State<F> {
    fetch: F,
    next: i64,
    seen: i64,
    done: bool,
}

fn pages<T, F, Fut>(mode: Mode, start: i64, page_size: i64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<i64>), Error>>,
{
    let state = State { fetch, next: start, seen: 0, done: false };
    stream::unfold(state, move |mut st| async move {
        if st.done {
            return None;
        }
        let current = st.next;
        match (st.fetch)(current).await {
            Err(e) => {
                st.done = true;
                Some((Err(e), st))
            }
            Ok((items, total)) => {
                let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
                st.seen = st.seen.saturating_add(n);
                st.next = match mode {
                    Mode::Offset => current.saturating_add(n),
                    Mode::Page => current.saturating_add(1),
                };
                let reached_total = total.is_some_and(|t| match mode {
                    Mode::Offset => st.next >= t,
                    Mode::Page => st.seen >= t,
                });
                st.done = n == 0 || (page_size > 0 && n < page_size) || reached_total;
                Some((Ok(items), st))
            }
        }
    })
    .flat_map(|page| match page {
        Ok(items) => stream::iter(items.into_iter().map(Ok).collect::<Vec<_>>()).left_stream(),
        Err(e) => stream::iter(vec![Err(e)]).right_stream(),
    })
}

/// Items of an offset/limit API (UCloud `Offset`/`Limit`/`TotalCount`): `fetch(offset)`
/// starts at `start`; the next offset is `offset + items received`.
pub fn offset_pages<T, F, Fut>(start: i64, limit: i64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<i64>), Error>>,
{
    pages(Mode::Offset, start, limit, fetch)
}

/// Items of a page-numbered API (Finovy `page`/`pageSize`/`totalCounts`): `fetch(page)`
/// starts at `start_page`; the next page is `page + 1`.
pub fn numbered_pages<T, F, Fut>(start_page: i64, page_size: i64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<i64>), Error>>,
{
    pages(Mode::Page, start_page, page_size, fetch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt as _;
    use std::sync::{Arc, Mutex};

    fn data() -> Vec<i64> {
        (0..25).collect()
    }

    #[tokio::test]
    async fn offset_stops_on_short_page() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let c = calls.clone();
        let items: Vec<i64> = offset_pages(0, 10, move |offset| {
            c.lock().unwrap().push(offset);
            async move {
                let all = data();
                let start = usize::try_from(offset).unwrap().min(all.len());
                let end = (start + 10).min(all.len());
                Ok((all[start..end].to_vec(), None))
            }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, data());
        assert_eq!(*calls.lock().unwrap(), vec![0, 10, 20]);
    }

    #[tokio::test]
    async fn offset_stops_at_total_without_extra_request() {
        let calls = Arc::new(Mutex::new(0));
        let c = calls.clone();
        let items: Vec<i64> = offset_pages(0, 5, move |offset| {
            *c.lock().unwrap() += 1;
            async move { Ok(((offset..offset + 5).collect(), Some(10))) }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, (0..10).collect::<Vec<_>>());
        assert_eq!(*calls.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn numbered_pages_and_empty_page() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let c = calls.clone();
        let items: Vec<i64> = numbered_pages(1, 2, move |page| {
            c.lock().unwrap().push(page);
            async move {
                Ok(match page {
                    1 => (vec![1, 2], None),
                    2 => (vec![3, 4], None),
                    _ => (vec![], None),
                })
            }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, vec![1, 2, 3, 4]);
        assert_eq!(*calls.lock().unwrap(), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn numbered_pages_total() {
        let items: Vec<i64> = numbered_pages(1, 2, |page| async move { Ok((vec![page * 10, page * 10 + 1], Some(4))) })
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, vec![10, 11, 20, 21]);
    }

    #[tokio::test]
    async fn error_is_yielded_then_stream_ends() {
        let results: Vec<Result<i64, Error>> = offset_pages(0, 2, |offset| async move {
            if offset == 0 {
                Ok((vec![1, 2], None))
            } else {
                Err(Error::auth("boom", None))
            }
        })
        .collect()
        .await;
        assert_eq!(results.len(), 3);
        assert!(results[2].is_err());
    }

    #[tokio::test]
    async fn lazy_until_polled() {
        let calls = Arc::new(Mutex::new(0));
        let c = calls.clone();
        let s = offset_pages(0, 1, move |_| {
            *c.lock().unwrap() += 1;
            async { Ok((vec![1], None)) }
        });
        assert_eq!(*calls.lock().unwrap(), 0);
        let first: Vec<_> = s.take(1).collect().await;
        assert_eq!(first.len(), 1);
        assert_eq!(*calls.lock().unwrap(), 1);
    }
}
