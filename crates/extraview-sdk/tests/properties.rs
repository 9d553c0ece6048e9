//! Nothing a server sends panics a parser: every text and XML parser returns a value or an
//! error on arbitrary input, and the structured ones read back what was written in their
//! format.

use extraview_sdk::parse::{self, WriteVerb};
use extraview_sdk::{Delimiter, ExposeSecret as _};
use proptest::prelude::*;

/// Pieces of ExtraView's XML, so random documents get deep into the parser rather than
/// failing at the first byte.
fn xml_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<?xml version=\"1.0\"?>".to_owned()),
        Just("<PROBLEM_RECORD>".to_owned()),
        Just("</PROBLEM_RECORD>".to_owned()),
        Just("<EXTRAVIEW_RESULTS>".to_owned()),
        Just("</EXTRAVIEW_RESULTS>".to_owned()),
        Just("<HISTORY>".to_owned()),
        Just("<EV_HEARTBEAT>".to_owned()),
        Just("<TASK_INFO TASK=\"x\">".to_owned()),
        Just("<NODE_ID>".to_owned()),
        Just("<ID TITLE=\"Bug #\">".to_owned()),
        Just("</ID>".to_owned()),
        Just("<GROUP>".to_owned()),
        Just("</GROUP>".to_owned()),
        Just("<E/>".to_owned()),
        Just("</lifetime>".to_owned()),
        Just("<Expiration Date>".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("]]>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#x41;".to_owned()),
        Just("&#99999999;".to_owned()),
        Just("&unknown;".to_owned()),
        Just("&".to_owned()),
        Just("<!-- c -->".to_owned()),
        Just("\"".to_owned()),
        Just("=".to_owned()),
        Just("\r\n".to_owned()),
        "[a-zA-Z0-9 <>/=\"'&;#!\\[\\]?-]{0,12}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// Pieces of ExtraView's text answers.
fn text_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("|".to_owned()),
        Just(";".to_owned()),
        Just(":".to_owned()),
        Just("\t".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("+*~%".to_owned()),
        Just("Token:".to_owned()),
        Just("Lifetime:".to_owned()),
        Just("Expiration Date:".to_owned()),
        Just("# ".to_owned()),
        Just(" added.".to_owned()),
        Just("No attachments".to_owned()),
        Just("null".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("é".to_owned()),
        "[0-9]{1,25}",
        "[a-zA-Z_ ]{0,10}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn any_delimiter() -> impl Strategy<Value = Delimiter> {
    prop_oneof![
        Just(Delimiter::Auto),
        Just(Delimiter::Pipe),
        Just(Delimiter::Semicolon),
        Just(Delimiter::Colon),
        Just(Delimiter::Tab),
        any::<char>().prop_map(Delimiter::Custom),
    ]
}

/// Runs every parser on `text`; any of them may refuse it, none may panic.
fn every_parser(text: &str, delimiter: Delimiter) {
    let _ = parse::token(text.as_bytes());
    let _ = parse::record(text);
    let _ = parse::search_results(text);
    let _ = parse::history(text);
    let _ = parse::heartbeat(text);
    let _ = parse::field_list(text, delimiter);
    let _ = parse::allowed_values(text, delimiter);
    let _ = parse::meta_data(text, delimiter);
    let _ = parse::users(text, delimiter);
    let _ = parse::attachments(text, delimiter);
    let _ = parse::write_confirmation(text, WriteVerb::Added);
    let _ = parse::classify_message(text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>(), delimiter in any_delimiter()) {
        every_parser(&text, delimiter);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_token_parser(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse::token(&body);
    }

    #[test]
    fn xml_soup_never_panics(text in xml_soup()) {
        every_parser(&text, Delimiter::Auto);
    }

    #[test]
    fn text_soup_never_panics(text in text_soup(), delimiter in any_delimiter()) {
        every_parser(&text, delimiter);
    }

    #[test]
    fn records_read_back_what_was_written(
        fields in prop::collection::vec(("[A-Z][A-Z0-9_]{0,12}", "[^<>&\\]\r]{0,20}", "[A-Za-z #]{0,10}"), 0..12),
        crlf in any::<bool>(),
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut xml = format!("<?xml version=\"1.0\"?>{newline}<PROBLEM_RECORD>{newline}");
        for (name, value, title) in &fields {
            xml.push_str(&format!("<{name} TITLE=\"{title}\"><![CDATA[{value}]]></{name}>{newline}"));
        }
        xml.push_str("</PROBLEM_RECORD>");
        let record = parse::record(&xml).expect("well-formed");
        prop_assert_eq!(record.fields.len(), fields.len());
        for (field, (name, value, title)) in record.fields.iter().zip(&fields) {
            prop_assert_eq!(&field.name, name);
            prop_assert_eq!(field.text.as_deref(), Some(value.as_str()));
            prop_assert_eq!(field.title.as_deref(), Some(title.as_str()));
        }
    }

    #[test]
    fn one_or_many_records_are_always_a_list(count in 0usize..6) {
        let records = "<PROBLEM_RECORD><ID>1</ID></PROBLEM_RECORD>".repeat(count);
        let parsed = parse::search_results(&format!("<EXTRAVIEW_RESULTS>{records}</EXTRAVIEW_RESULTS>"))
            .expect("well-formed");
        prop_assert_eq!(parsed.len(), count);
    }

    #[test]
    fn plain_tokens_read_back(
        token in "[A-Za-z0-9._~+/=-]{1,64}",
        lifetime in any::<u64>(),
        crlf in any::<bool>(),
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let body = format!("Token:{token}{newline}Type:Bearer{newline}Lifetime:{lifetime}{newline}Expiration Date:2020-07-02 18:39:48.818 -0700{newline}");
        let parsed = parse::token(body.as_bytes()).expect("a token answer");
        prop_assert_eq!(parsed.value.expose_secret(), token.as_str());
        prop_assert_eq!(parsed.lifetime, Some(lifetime));
        prop_assert!(parsed.expires_at.is_some());
    }

    #[test]
    fn confirmations_read_back_whatever_the_title(title in "[A-Za-z ]{0,12}", id in any::<u64>(), space in any::<bool>()) {
        let gap = if space { " " } else { "" };
        let text = format!("{title} #{gap}{id} updated.");
        prop_assert_eq!(parse::write_confirmation(&text, WriteVerb::Updated), Ok(id));
    }

    #[test]
    fn lists_read_back_with_any_delimiter(
        rows in prop::collection::vec(("[A-Z0-9_]{1,10}", "[A-Za-z0-9 ]{0,12}[A-Za-z0-9]"), 1..10),
        delimiter in prop_oneof![Just('|'), Just(';'), Just(':'), Just('\t')],
        trailing in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let tail = if trailing { delimiter.to_string() } else { String::new() };
        let body: String = rows
            .iter()
            .map(|(key, title)| format!("{key}{delimiter}{title}{tail}{newline}"))
            .collect();
        let values = parse::allowed_values(&body, Delimiter::Auto).expect("a list");
        prop_assert_eq!(values.len(), rows.len());
        for (value, (key, title)) in values.iter().zip(&rows) {
            prop_assert_eq!(&value.key, key);
            prop_assert_eq!(&value.title, title.trim());
        }
    }
}
