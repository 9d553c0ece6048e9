//! Parsed answers pinned with insta: records (CDATA, titles, groups, repeated rows), search
//! pages, history, the heartbeat, field lists and the text lists in each delimiter seen in the
//! wild, and both token forms. A change of a parser or a model shows up as a snapshot diff.

mod common;

use common::*;
use extraview_sdk::{Delimiter, SearchPage, parse};

#[test]
fn a_record_with_cdata_titles_groups_and_rows() {
    let record = parse::record(RECORD_XML).expect("record");
    insta::assert_json_snapshot!("record", record);
}

#[test]
fn search_pages_of_many_one_and_no_records() {
    let pages: Vec<SearchPage> = [(SEARCH_PAGE_1, 1), (SEARCH_PAGE_2, 3), (SEARCH_EMPTY, 4)]
        .into_iter()
        .map(|(xml, start)| SearchPage {
            records: parse::search_results(xml).expect("page"),
            record_start: start,
            page_length: 2,
        })
        .collect();
    insta::assert_json_snapshot!("search_pages", pages);
}

#[test]
fn history_entries() {
    insta::assert_json_snapshot!("history", parse::history(HISTORY_XML).expect("history"));
}

#[test]
fn the_documented_heartbeat_with_its_repeated_node_id() {
    insta::assert_json_snapshot!("heartbeat", parse::heartbeat(HEARTBEAT_XML).expect("beat"));
}

#[test]
fn field_metadata_in_pipe_colon_and_semicolon_lists() {
    insta::assert_json_snapshot!(
        "add_field_list",
        parse::field_list(ADD_FIELD_LIST, Delimiter::Auto).expect("fields")
    );
    insta::assert_json_snapshot!(
        "allowed_list_colon",
        parse::allowed_values(ALLOWED_LIST, Delimiter::Auto).expect("values")
    );
    insta::assert_json_snapshot!(
        "meta_data_semicolon",
        parse::meta_data(META_DATA, Delimiter::Auto).expect("metadata")
    );
}

#[test]
fn users_and_attachments() {
    insta::assert_json_snapshot!(
        "users",
        parse::users(USERS, Delimiter::Auto).expect("users")
    );
    insta::assert_json_snapshot!(
        "attachments",
        parse::attachments(ATTACHMENTS, Delimiter::Auto).expect("attachments")
    );
}

#[test]
fn both_token_forms_read_the_same_and_never_show_the_token() {
    let text = parse::token(token_text(TOKEN).as_bytes()).expect("text");
    let xml = parse::token(token_xml(TOKEN).as_bytes()).expect("xml");
    assert_eq!(text, xml);
    insta::assert_json_snapshot!("token", text);
}
