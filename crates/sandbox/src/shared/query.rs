//! Query strings and page arithmetic, with refusals phrased for a 400 answer.

use std::str::FromStr;

/// The parameters of a query string. A name sent twice keeps its first value; unknown names
/// are ignored by the handlers, as most REST services do.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Reads a raw query string (`None` when the URI has none).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The text of parameter `name`.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of parameter `name`, in order (for parameters a vendor lets repeat).
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every name and value, in order, repeats included.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Adds a parameter after those already read (a vendor that also takes parameters from
    /// a form body).
    pub(crate) fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.pairs.push((name.into(), value.into()));
    }

    /// Parameter `name` as a number; an unreadable value is an error message.
    pub(crate) fn number<T: FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        self.text(name)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| format!("{name} must be an integer, not {v:?}"))
            })
            .transpose()
    }

    /// Parameter `name` as a boolean (`true`/`false` in any case, as Python clients send
    /// `True`, or `1`/`0`).
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, String> {
        self.text(name)
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(format!("{name} must be true or false, not {v:?}")),
            })
            .transpose()
    }

    /// Whether parameter `name` asks for descending order: `asc` (the default) or `desc`, in
    /// any letter case.
    pub(crate) fn descending(&self, name: &str) -> Result<bool, String> {
        match self
            .text(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            Some(other) => Err(format!("{name} must be asc or desc, not {other:?}")),
        }
    }

    /// Parameter `name` as a sort in one value: `"<field>"`, `"<field> asc"` or
    /// `"<field> desc"` (direction in any letter case); the field and whether it is descending.
    pub(crate) fn sort_spec(&self, name: &str) -> Result<Option<(String, bool)>, String> {
        let Some(text) = self.text(name).map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let mut words = text.split_whitespace();
        let field = words.next().unwrap_or_default().to_owned();
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(format!(
                    "{name} direction must be asc or desc, not {other:?}"
                ));
            }
        };
        if words.next().is_some() {
            return Err(format!("{name} must be \"<field> asc|desc\", not {text:?}"));
        }
        Ok(Some((field, descending)))
    }
}

/// Which page of a list a request asks for (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageRequest {
    /// 1-based page number.
    pub(crate) page: u32,
    /// Items per page, after clamping to the maximum.
    pub(crate) size: u32,
}

impl PageRequest {
    /// Reads the page and page-size parameters: missing ones take their defaults, a size above
    /// `max_size` is lowered to it, and a value below 1 or unreadable is an error message.
    pub(crate) fn from_query(
        query: &Query,
        page_param: &str,
        size_param: &str,
        default_size: u32,
        max_size: u32,
    ) -> Result<Self, String> {
        let page = query.number::<i64>(page_param)?.unwrap_or(1);
        let size = query
            .number::<i64>(size_param)?
            .unwrap_or(default_size.into());
        if page < 1 {
            return Err(format!("{page_param} must be 1 or more"));
        }
        if size < 1 {
            return Err(format!("{size_param} must be 1 or more"));
        }
        Ok(Self {
            page: u32::try_from(page).unwrap_or(u32::MAX),
            size: u32::try_from(size.min(max_size.into())).unwrap_or(max_size),
        })
    }

    /// The items of this page (empty past the last page).
    pub(crate) fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        let start = (self.page as usize)
            .saturating_sub(1)
            .saturating_mul(self.size as usize);
        let end = start.saturating_add(self.size as usize).min(items.len());
        items.get(start..end).unwrap_or_default()
    }

    /// How many pages `total` items fill (0 for no items).
    pub(crate) fn total_pages(&self, total: usize) -> usize {
        total.div_ceil(self.size as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_pages() {
        let q = Query::parse(Some("page=2&page-size=3&flag=True&page=9"));
        assert_eq!(q.text("page"), Some("2"));
        assert_eq!(q.all("page").collect::<Vec<_>>(), ["2", "9"]);
        assert_eq!(q.pairs().len(), 4);
        assert_eq!(q.boolean("flag"), Ok(Some(true)));
        let page = PageRequest::from_query(&q, "page", "page-size", 50, 500).expect("valid");
        let items: Vec<u32> = (1..=7).collect();
        assert_eq!(page.slice(&items), &[4, 5, 6]);
        assert_eq!(page.total_pages(items.len()), 3);
        let last = PageRequest { page: 9, size: 3 };
        assert!(last.slice(&items).is_empty());
    }

    #[test]
    fn sort_specs() {
        let q = Query::parse(Some("a=uniqueId%20DESC&b=name&c=x%20up&d=x+asc+y"));
        assert_eq!(q.sort_spec("a"), Ok(Some(("uniqueId".into(), true))));
        assert_eq!(q.sort_spec("b"), Ok(Some(("name".into(), false))));
        assert!(q.sort_spec("c").is_err());
        assert!(q.sort_spec("d").is_err());
        assert_eq!(q.sort_spec("e"), Ok(None));
    }

    #[test]
    fn clamps_and_refuses() {
        let big = Query::parse(Some("page-size=9999"));
        let page = PageRequest::from_query(&big, "page", "page-size", 50, 500).expect("valid");
        assert_eq!(page.size, 500);
        for bad in ["page=0", "page-size=0", "page=x", "page=-1"] {
            let q = Query::parse(Some(bad));
            assert!(PageRequest::from_query(&q, "page", "page-size", 50, 500).is_err());
        }
    }
}
