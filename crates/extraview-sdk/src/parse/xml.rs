//! ExtraView's XML answers: records, search results, history and the heartbeat.
//!
//! A pull parser (quick-xml) reads the events, and a small tree builder repairs what the
//! documented answers get wrong: a closing tag that closes nothing is ignored, one that
//! closes an outer element closes the inner ones with it, and `<NODE_ID>1<NODE_ID>` (a second
//! opening tag where a closing one belongs) closes the first.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::{ParseError, quoted_name};
use crate::{Field, Heartbeat, HistoryEntry, Record, TaskInfo, ThreadInfo};

/// The deepest nesting read. Records nest two or three levels; the limit keeps a hostile
/// answer from exhausting the stack when the tree is dropped or serialized.
const MAX_DEPTH: usize = 64;

/// An element of the answer.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

/// An element still open, with its text in pieces: `true` for CDATA.
struct Open {
    node: Node,
    parts: Vec<(String, bool)>,
}

impl Open {
    fn has_text(&self) -> bool {
        self.parts
            .iter()
            .any(|(t, cdata)| *cdata || !t.trim().is_empty())
    }

    /// CDATA as sent (the reader turns CRLF into LF, as XML requires); other text trimmed, and whitespace-only text between CDATA
    /// sections or child elements dropped (it is indentation).
    fn finish(mut self) -> Node {
        self.node.text = if self.parts.iter().any(|(_, cdata)| *cdata) {
            self.parts
                .into_iter()
                .filter(|(t, cdata)| *cdata || !t.trim().is_empty())
                .map(|(t, _)| t)
                .collect()
        } else {
            self.parts
                .into_iter()
                .map(|(t, _)| t)
                .collect::<String>()
                .trim()
                .to_owned()
        };
        self.node
    }
}

/// The tree under construction.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    root: Option<Node>,
}

impl Builder {
    fn open(&mut self, name: String, attributes: Vec<(String, String)>) -> Result<(), ParseError> {
        if self.stack.is_empty() && self.root.is_some() {
            return Err(ParseError::new("more than one root element"));
        }
        let repeats_text_element = self.stack.last().is_some_and(|top| {
            top.node.name == name && top.node.children.is_empty() && top.has_text()
        });
        if repeats_text_element {
            self.close_top();
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::new(format!(
                "elements nested deeper than {MAX_DEPTH} levels"
            )));
        }
        self.stack.push(Open {
            node: Node {
                name,
                attributes,
                ..Node::default()
            },
            parts: Vec::new(),
        });
        Ok(())
    }

    fn close_top(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        let node = open.finish();
        match self.stack.last_mut() {
            Some(parent) => parent.node.children.push(node),
            None => self.root = Some(node),
        }
    }

    /// Closes the innermost open element named `name` and everything inside it; a closing
    /// tag that matches nothing open is ignored.
    fn close(&mut self, name: &str) {
        let Some(at) = self.stack.iter().rposition(|o| o.node.name == name) else {
            return;
        };
        while self.stack.len() > at {
            self.close_top();
        }
    }

    fn text(&mut self, text: String, cdata: bool) {
        if let Some(top) = self.stack.last_mut() {
            top.parts.push((text, cdata));
        }
    }
}

/// The entity or character reference `&name;` as text; an unknown one stays as it was.
fn reference(name: &str) -> String {
    let known = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name.strip_prefix('#').and_then(|number| {
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse().ok(),
            };
            code.and_then(char::from_u32)
        }),
    };
    known.map_or_else(|| format!("&{name};"), String::from)
}

/// Attributes, read without the strict checks (a value without quotes, a name without a
/// value); an attribute that still cannot be read is skipped.
fn attributes(start: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    let mut attrs = start.attributes();
    attrs.with_checks(false);
    attrs
        .filter_map(Result::ok)
        .map(|a| {
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.clone().into_owned());
            (a.key.as_ref().to_owned(), value)
        })
        .collect()
}

/// Reads the document's root element.
fn parse_document(xml: &str) -> Result<Node, ParseError> {
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    if !xml.trim_start().starts_with('<') {
        return Err(ParseError::new("the answer is not XML"));
    }
    let mut reader = Reader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.expand_empty_elements = false;
    let mut tree = Builder::default();
    loop {
        let event = reader.read_event().map_err(|_| {
            ParseError::new(format!(
                "malformed XML near byte {}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(start) => {
                tree.open(start.name().as_ref().to_owned(), attributes(&start))?;
            }
            Event::Empty(start) => {
                tree.open(start.name().as_ref().to_owned(), attributes(&start))?;
                tree.close_top();
            }
            Event::End(end) => tree.close(end.name().as_ref()),
            Event::Text(text) => tree.text(text.xml10_content().into_owned(), false),
            Event::CData(cdata) => tree.text(cdata.xml10_content().into_owned(), true),
            Event::GeneralRef(r) => tree.text(reference(&r.xml10_content()), false),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = tree.stack.first() {
        return Err(ParseError::new(format!(
            "the XML ends inside {}",
            quoted_name(&open.node.name)
        )));
    }
    tree.root.ok_or_else(|| ParseError::new("no root element"))
}

fn is(node: &Node, name: &str) -> bool {
    node.name.eq_ignore_ascii_case(name)
}

impl From<Node> for Field {
    fn from(node: Node) -> Self {
        let mut title = None;
        let mut attributes = BTreeMap::new();
        for (key, value) in node.attributes {
            if key.eq_ignore_ascii_case("TITLE") && title.is_none() {
                title = Some(value);
            } else {
                attributes.insert(key, value);
            }
        }
        let text = if node.children.is_empty() || !node.text.is_empty() {
            Some(node.text)
        } else {
            None
        };
        Field {
            name: node.name,
            title,
            attributes,
            text,
            children: node.children.into_iter().map(Field::from).collect(),
        }
    }
}

fn to_record(node: Node) -> Record {
    Record {
        fields: node.children.into_iter().map(Field::from).collect(),
    }
}

/// The `PROBLEM_RECORD`s of a root: the root itself, or its children of that name (other
/// children are skipped).
fn records(root: Node, roots: &[&str]) -> Result<Vec<Record>, ParseError> {
    if is(&root, "PROBLEM_RECORD") {
        return Ok(vec![to_record(root)]);
    }
    if !roots.iter().any(|r| is(&root, r)) {
        return Err(ParseError::new(format!(
            "the root is {}, not <{}>",
            quoted_name(&root.name),
            roots.join("> or <")
        )));
    }
    Ok(root
        .children
        .into_iter()
        .filter(|c| is(c, "PROBLEM_RECORD"))
        .map(to_record)
        .collect())
}

/// The answer of `get`: a `PROBLEM_RECORD` (or the first one of an `EXTRAVIEW_RESULTS`).
///
/// # Errors
/// Not XML, malformed beyond repair, another root, or no record.
///
/// ```
/// let record = extraview_sdk::parse::record(
///     "<?xml version=\"1.0\"?>\r\n<PROBLEM_RECORD>\r\n<SHORT_DESCR TITLE=\"Title\"><![CDATA[VPN drops <hourly>]]></SHORT_DESCR>\r\n</PROBLEM_RECORD>",
/// )?;
/// assert_eq!(record.text("SHORT_DESCR"), Some("VPN drops <hourly>"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn record(xml: &str) -> Result<Record, ParseError> {
    records(parse_document(xml)?, &["EXTRAVIEW_RESULTS"])?
        .into_iter()
        .next()
        .ok_or_else(|| ParseError::new("no <PROBLEM_RECORD> in the answer"))
}

/// The records of a `search` answer (`EXTRAVIEW_RESULTS`): none, one or many
/// `PROBLEM_RECORD`s, always a list.
///
/// # Errors
/// Not XML, malformed beyond repair, or another root.
///
/// ```
/// let none = extraview_sdk::parse::search_results("<EXTRAVIEW_RESULTS></EXTRAVIEW_RESULTS>")?;
/// assert!(none.is_empty());
/// let one = extraview_sdk::parse::search_results(
///     "<EXTRAVIEW_RESULTS><PROBLEM_RECORD><ID>1</ID></PROBLEM_RECORD></EXTRAVIEW_RESULTS>",
/// )?;
/// assert_eq!(one.len(), 1);
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn search_results(xml: &str) -> Result<Vec<Record>, ParseError> {
    records(parse_document(xml)?, &["EXTRAVIEW_RESULTS"])
}

/// The entries of a `history` answer (`HISTORY`), one per historic version.
///
/// # Errors
/// Not XML, malformed beyond repair, or another root.
///
/// ```
/// let entries = extraview_sdk::parse::history("<HISTORY/>")?;
/// assert!(entries.is_empty());
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn history(xml: &str) -> Result<Vec<HistoryEntry>, ParseError> {
    Ok(
        records(parse_document(xml)?, &["HISTORY", "EXTRAVIEW_RESULTS"])?
            .into_iter()
            .map(|record| HistoryEntry {
                id: record.id().map(str::to_owned),
                timestamp: record.text("TIMESTAMP").map(str::to_owned),
                record,
            })
            .collect(),
    )
}

/// The first element named `name` below `node`, depth first.
fn find<'a>(node: &'a Node, name: &str) -> Option<&'a Node> {
    node.children
        .iter()
        .find_map(|c| if is(c, name) { Some(c) } else { find(c, name) })
}

/// Every element named `name` below `node` that is not inside another one.
fn find_all<'a>(node: &'a Node, name: &str, out: &mut Vec<&'a Node>) {
    for child in &node.children {
        if is(child, name) {
            out.push(child);
        } else {
            find_all(child, name, out);
        }
    }
}

fn text_of(node: &Node, name: &str) -> Option<String> {
    find(node, name)
        .map(|n| n.text.clone())
        .filter(|t| !t.is_empty())
}

fn number_of(node: &Node, name: &str) -> Option<u64> {
    text_of(node, name).and_then(|t| t.trim().parse().ok())
}

/// The answer of `get_heartbeat` (`EV_HEARTBEAT`), with its tasks when asked for. Elements
/// are looked for anywhere below their parent, so a misplaced closing tag (the manual's
/// sample repeats `<NODE_ID>`) does not lose them.
///
/// # Errors
/// Not XML, malformed beyond repair, or another root.
///
/// ```
/// let beat = extraview_sdk::parse::heartbeat(
///     "<EV_HEARTBEAT><TASK_INFO TASK=\"MAIL\"><NODE_ID>n1<NODE_ID><TASK_STATE>STARTED</TASK_STATE></TASK_INFO></EV_HEARTBEAT>",
/// )?;
/// assert_eq!(beat.tasks[0].node_id.as_deref(), Some("n1"));
/// assert_eq!(beat.tasks[0].task_state.as_deref(), Some("STARTED"));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
pub fn heartbeat(xml: &str) -> Result<Heartbeat, ParseError> {
    let root = parse_document(xml)?;
    if !is(&root, "EV_HEARTBEAT") {
        return Err(ParseError::new(format!(
            "the root is {}, not <EV_HEARTBEAT>",
            quoted_name(&root.name)
        )));
    }
    let mut tasks = Vec::new();
    find_all(&root, "TASK_INFO", &mut tasks);
    let tasks = tasks
        .into_iter()
        .map(|task| {
            let mut threads = Vec::new();
            find_all(task, "THREAD_INFO", &mut threads);
            TaskInfo {
                task: task
                    .attributes
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("TASK"))
                    .map(|(_, v)| v.clone()),
                node_id: text_of(task, "NODE_ID"),
                start_option: text_of(task, "START_OPTION"),
                task_state: text_of(task, "TASK_STATE"),
                poll_interval: text_of(task, "POLL_INTERVAL"),
                threads: threads
                    .into_iter()
                    .map(|thread| ThreadInfo {
                        thread_state: text_of(thread, "THREAD_STATE"),
                        secs_since_execution: number_of(thread, "SECS_SINCE_EXECUTION"),
                        priority: text_of(thread, "PRIORITY"),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Heartbeat {
        ev_status: text_of(&root, "EV_STATUS"),
        db_status: text_of(&root, "DB_STATUS"),
        db_datetime: text_of(&root, "DB_DATETIME"),
        free_memory_mb: number_of(&root, "FREE_MEMORY"),
        total_memory_mb: number_of(&root, "TOTAL_MEMORY"),
        exec_time_ms: number_of(&root, "HEARTBEAT_EXEC_TIME"),
        tasks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_and_early_closing_tags_are_repaired() {
        let record = record("<PROBLEM_RECORD><ID>1</ID></lifetime><GROUP><A>x</PROBLEM_RECORD>")
            .expect("repaired");
        assert_eq!(record.id(), Some("1"));
        assert_eq!(
            record.path(&["GROUP", "A"]).and_then(Field::text),
            Some("x")
        );
    }

    #[test]
    fn entities_text_and_cdata() {
        let record = record(
            "<PROBLEM_RECORD><A> a &amp; b &#x41;&#66; &nbsp; </A><B>\n  <![CDATA[  kept  ]]>\n</B><C/></PROBLEM_RECORD>",
        )
        .expect("parses");
        assert_eq!(record.text("A"), Some("a & b AB &nbsp;"));
        assert_eq!(record.text("B"), Some("  kept  "));
        assert_eq!(record.text("C"), Some(""));
    }

    #[test]
    fn unreadable_documents_are_errors() {
        for bad in [
            "",
            "plain text",
            "<A>",
            "<A></A><B></B>",
            "<A><B attr=\"unterminated></B></A>",
        ] {
            assert!(parse_document(bad).is_err(), "{bad:?}");
        }
        let deep = "<A>".repeat(MAX_DEPTH + 1);
        let err = parse_document(&deep).expect_err("too deep");
        assert!(err.detail().contains("deeper"), "{err}");
    }

    #[test]
    fn a_wrong_root_is_named_only_when_it_looks_like_a_name() {
        let err = search_results("<html><body/></html>").expect_err("not results");
        assert!(err.detail().contains("<html>"), "{err}");
    }
}
