//! Lazy page streams.
//!
//! `fetch` is called with the offset (or page number) of the next page and returns the page's items plus the total
//! count when the API reports one. The stream ends after the first error (which is yielded), and otherwise:
//! - with a total (the latest page's), when it is reached: page sizes do not matter then, so a server that returns
//!   fewer items per page than asked still yields every item;
//! - without one, only after an empty page. A page shorter than the page size asked for does not end it: a server
//!   may cap its pages below the limit asked for without saying so, and taking its first page for the last would
//!   cut the list silently. That costs one request, for the empty page, at the end of a stream without a total.
//!
//! Pages that contradict each other end the stream with [`Error::Pagination`], never a loop or a silent cut: a page
//! that repeats any earlier one (the server ignores the offset or page number, whether it serves the first page
//! again or cycles through several), items beyond the total, or an empty page while the total says more remain.
//! To tell a repeated page, the stream keeps a copy of the pages it yielded (as much memory as the items).

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

struct State<T, F> {
    fetch: F,
    mode: Mode,
    next: i64,
    /// How many items come before the next page: its offset, or the items of the pages before it (`None` when a
    /// page-numbered stream starts past page 1 with no page size to tell).
    before: Option<i64>,
    /// Every page yielded so far, with its position, to notice a server that serves one again.
    earlier: Vec<(i64, Vec<T>)>,
    done: bool,
}

impl<T: PartialEq, F> State<T, F> {
    fn describe(&self, position: i64) -> String {
        match self.mode {
            Mode::Offset => format!("the page at offset {position}"),
            Mode::Page => format!("page {position}"),
        }
    }

    /// Judges the page fetched at `position`: whether the stream goes on after it, or why the pages contradict each
    /// other.
    fn judge(&self, position: i64, items: &[T], total: Option<i64>) -> Result<bool, String> {
        let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let repeated = if n > 0 { self.earlier.iter().find(|(_, page)| page.as_slice() == items) } else { None };
        if let Some((at, _)) = repeated {
            let ignored = match self.mode {
                Mode::Offset => "offset",
                Mode::Page => "page number",
            };
            let (page, earlier) = (self.describe(position), self.describe(*at));
            return Err(format!("{page} holds the same items as {earlier}: the server ignores the {ignored}"));
        }
        let (Some(total), Some(before)) = (total, self.before) else {
            // Without a total only an empty page ends the stream (see the module's docs).
            return Ok(n > 0);
        };
        if n == 0 {
            // Past the end is where an empty page belongs; short of it, items are missing.
            if before < total {
                let page = self.describe(position);
                return Err(format!("{page} is empty, but the total is {total} and {before} came before it"));
            }
            return Ok(false);
        }
        let reached = before.saturating_add(n);
        if reached > total {
            return Err(format!(
                "{} brings the count to {reached}, beyond the total of {total}",
                self.describe(position)
            ));
        }
        Ok(reached < total)
    }
}

fn pages<T, F, Fut>(mode: Mode, start: i64, page_size: i64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    T: Clone + PartialEq,
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<i64>), Error>>,
{
    let before = match mode {
        Mode::Offset => Some(start),
        Mode::Page if start <= 1 => Some(0),
        Mode::Page if page_size > 0 => Some(start.saturating_sub(1).saturating_mul(page_size)),
        Mode::Page => None,
    };
    let state = State { fetch, mode, next: start, before, earlier: Vec::new(), done: false };
    stream::unfold(state, move |mut st| async move {
        if st.done {
            return None;
        }
        let current = st.next;
        let fetched = (st.fetch)(current).await;
        st.done = true;
        let (items, total) = match fetched {
            Ok(page) => page,
            Err(e) => return Some((Err(e), st)),
        };
        match st.judge(current, &items, total) {
            Err(problem) => Some((Err(Error::Pagination { problem }), st)),
            Ok(more) => {
                let n = i64::try_from(items.len()).unwrap_or(i64::MAX);
                st.done = !more;
                st.before = st.before.map(|b| b.saturating_add(n));
                st.next = match st.mode {
                    Mode::Offset => current.saturating_add(n),
                    Mode::Page => current.saturating_add(1),
                };
                if more {
                    st.earlier.push((current, items.clone()));
                }
                Some((Ok(items), st))
            }
        }
    })
    .flat_map(|page| match page {
        Ok(items) => stream::iter(items.into_iter().map(Ok).collect::<Vec<_>>()).left_stream(),
        Err(e) => stream::iter(vec![Err(e)]).right_stream(),
    })
}

/// Items of an offset/limit API (UCloud `Offset`/`Limit`/`TotalCount`): `fetch(offset)` starts at `start`; the next
/// offset is `offset + items received`. `limit` is the page size asked for (`0`: the server's).
pub fn offset_pages<T, F, Fut>(start: i64, limit: i64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    T: Clone + PartialEq,
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<i64>), Error>>,
{
    pages(Mode::Offset, start, limit, fetch)
}

/// Items of a page-numbered API (Finovy `page`/`pageSize`/`totalCounts`): `fetch(page)` starts at `start_page`; the
/// next page is `page + 1`. `page_size` is the page size asked for (`0`: the server's).
pub fn numbered_pages<T, F, Fut>(start_page: i64, page_size: i64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    T: Clone + PartialEq,
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
    async fn without_a_total_a_short_page_is_confirmed_by_an_empty_one() {
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
        assert_eq!(*calls.lock().unwrap(), vec![0, 10, 20, 25]);
        // A server capping its pages at 4 below the limit of 10, without a total: every item still comes.
        let items: Vec<i64> = offset_pages(0, 10, |offset| async move {
            let all = data();
            let start = usize::try_from(offset).unwrap().min(all.len());
            Ok((all[start..(start + 4).min(all.len())].to_vec(), None))
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, data());
    }

    /// The items of a stream up to its first error, and that error.
    async fn until_error<S: Stream<Item = Result<i64, Error>>>(stream: S) -> (Vec<i64>, Option<String>) {
        let results: Vec<Result<i64, Error>> = stream.take(1000).collect().await;
        let mut items = Vec::new();
        for result in results {
            match result {
                Ok(item) => items.push(item),
                Err(error) => return (items, Some(error.to_string())),
            }
        }
        (items, None)
    }

    #[tokio::test]
    async fn a_page_repeating_any_earlier_one_is_an_error_with_or_without_a_total() {
        // Pages that ignore the offset and cycle A, B, A, B…: no total to stop at, no page equal to the one before.
        for total in [None, Some(33)] {
            let cycle = |offset: i64| async move {
                let start = (offset / 10 % 2) * 10;
                Ok(((start..start + 10).collect(), total))
            };
            let (items, error) = until_error(offset_pages(0, 10, cycle)).await;
            assert_eq!(items, (0..20).collect::<Vec<_>>(), "{total:?}");
            assert_eq!(
                error.as_deref(),
                Some(
                    "pagination stopped: the page at offset 20 holds the same items as the page at offset 0: the \
                     server ignores the offset"
                )
            );
            let pages = |page: i64| async move { Ok((vec![page % 3], total)) };
            let (items, error) = until_error(numbered_pages(1, 1, pages)).await;
            assert_eq!(items, [1, 2, 0], "{total:?}");
            assert!(error.is_some_and(|e| e.contains("page 4 holds the same items as page 1")));
        }
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
    async fn numbered_pages_starting_past_page_one_count_the_pages_before() {
        // 7 items, 3 per page: page 2 starts after 3 of them.
        let fetch = |page: i64| async move {
            let items: Vec<i64> = ((page - 1) * 3..(page * 3).min(7)).collect();
            Ok((items, Some(7)))
        };
        let items: Vec<i64> = numbered_pages(2, 3, fetch).try_collect().await.unwrap();
        assert_eq!(items, vec![3, 4, 5, 6]);
        // Without a page size the items before page 2 are unknown: the total cannot be checked, an empty page ends.
        let fetch = |page: i64| async move { Ok((if page < 4 { vec![page] } else { vec![] }, Some(1))) };
        let items: Vec<i64> = numbered_pages(2, 0, fetch).try_collect().await.unwrap();
        assert_eq!(items, vec![2, 3]);
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
