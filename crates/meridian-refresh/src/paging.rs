//! Following the pages of a list: a server whose paging loops (a next link or token that
//! leads back to a page already read) is refused at once, naming the request, instead of
//! being read until the refresh's deadline.

/// What led to each page of one list read so far: its URL, or the token it was asked with
/// (`""` for the first page of a token-paged list).
#[derive(Debug, Clone)]
pub(crate) struct Trail(Vec<String>);

impl Trail {
    /// The trail of a list whose first page is asked for with `first`.
    pub(crate) fn start(first: impl Into<String>) -> Trail {
        Trail(vec![first.into()])
    }

    /// The number of the page the last entry leads to (1 for the first page).
    pub(crate) fn page(&self) -> usize {
        self.0.len()
    }

    /// Records `next`, which the last page named as the way to the next one (a link or a
    /// token; `field` is its name in the response, `shown` says whether its value may appear
    /// in the error: a link may, a token stays out of messages). An error when it leads back
    /// to a page already read.
    pub(crate) fn follow(&mut self, field: &str, next: &str, shown: bool) -> Result<(), String> {
        if let Some(i) = self.0.iter().position(|s| s == next) {
            let what = if shown {
                format!("{field} {next:?}")
            } else {
                format!("the {field}")
            };
            return Err(format!(
                "{what} of page {} leads back to page {} of this list: the server's paging loops, so it is not followed",
                self.0.len(),
                i + 1
            ));
        }
        self.0.push(next.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_back_to_any_page_read_is_refused() {
        let mut t = Trail::start("https://x/list?api-version=1");
        t.follow("nextLink", "https://x/list?page=2", true)
            .expect("page 2");
        let e = t
            .follow("nextLink", "https://x/list?page=2", true)
            .expect_err("self");
        assert_eq!(
            e,
            "nextLink \"https://x/list?page=2\" of page 2 leads back to page 2 of this list: the server's paging loops, so it is not followed"
        );
        let e = t
            .follow("nextLink", "https://x/list?api-version=1", true)
            .expect_err("cycle");
        assert!(e.contains("leads back to page 1"), "{e}");
        t.follow("nextLink", "https://x/list?page=3", true)
            .expect("page 3");
    }

    #[test]
    fn tokens_stay_out_of_the_message() {
        let mut t = Trail::start("");
        t.follow("nextToken", "secret-token-1", false).expect("2");
        let e = t
            .follow("nextToken", "secret-token-1", false)
            .expect_err("loop");
        assert!(!e.contains("secret-token-1"), "{e}");
        assert!(
            e.starts_with("the nextToken of page 2 leads back to page 2"),
            "{e}"
        );
    }
}
