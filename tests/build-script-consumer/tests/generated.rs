//! The code the build script generated compiles and behaves: the tricky fixtures (names that
//! shadow std, keywords, a documented `UNKNOWN` value) and the real item API.

use vapi_build_consumer::bindings::content::library::item::{DownloadSessionModel, FileInfo};
use vapi_build_consumer::fixtures::tricky::{self, OptionKind, Result as TrickyResult};

#[test]
fn a_documented_unknown_value_and_the_catch_all_stay_apart() {
    assert_eq!(TrickyResult::from("UNKNOWN"), TrickyResult::Unknown);
    let new = TrickyResult::from("SOMETHING_NEW");
    assert!(matches!(new, TrickyResult::Unrecognized(_)));
    assert_eq!(new.as_str(), "SOMETHING_NEW");
    assert_eq!(TrickyResult::from("SELF"), TrickyResult::Self_);
    assert_eq!(TrickyResult::from("3D").as_str(), "3D");
}

#[test]
fn keyword_fields_keep_their_wire_names() {
    let mut option = tricky::Option::new(OptionKind::Type);
    option.self_ = Some("me".to_owned());
    option.r#gen = Some(7);
    option.crate_ = Some(TrickyResult::Ok);
    let json = serde_json::to_string(&option).expect("serializes");
    assert_eq!(json, r#"{"type":"TYPE","self":"me","gen":7,"crate":"OK"}"#);
    let back: tricky::Option = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, option);
}

#[test]
fn runtime_types_round_trip() {
    let json = r#"{"value":"v","options":[],"by_kind":{"TYPE":["a","b"]},"blob":"aGk=","when":"2024-05-01T12:34:56.789Z","password":"p","extra":{"k":1},"any_id":"x","either_id":"y"}"#;
    let s: tricky::String = serde_json::from_str(json).expect("parses");
    assert_eq!(s.blob.as_ref().map(|b| b.as_bytes()), Some(&b"hi"[..]));
    assert_eq!(format!("{:?}", s.password), "Some(Secret(\"***\"))");
    assert_eq!(serde_json::to_string(&s).expect("serializes"), json);
}

#[test]
fn the_item_api_is_generated_from_the_build_script() {
    let info = FileInfo::new("ovf".to_owned(), 10, true, "1".to_owned());
    assert_eq!(info.name, "ovf");
    assert_eq!(DownloadSessionModel::default().state, None);
}
