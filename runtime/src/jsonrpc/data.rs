//! The vAPI data encoding of JSON-RPC: values as VMware's runtime writes them inside a
//! `invoke` request or answer, and the conversion to and from the JSON of `/api`, which the
//! generated types read and write.
//!
//! | vAPI value | JSON-RPC | `/api` JSON |
//! | --- | --- | --- |
//! | structure | `{"STRUCTURE": {"com.vmware.pkg.type_name": {fields}}}` | `{fields}` |
//! | error | `{"ERROR": {"com.vmware.vapi.std.errors.not_found": {fields}}}` | `{fields}` |
//! | optional | `{"OPTIONAL": value}`, `{"OPTIONAL": null}` when unset | the value, or absent |
//! | secret | `{"SECRET": "text"}` | `"text"` |
//! | binary | `{"BINARY": "base64"}` | `"base64"` |
//! | map | a list of `{"STRUCTURE": {"map-entry": {"key": k, "value": v}}}` | an object (or that list) |
//! | list, set | a list | a list |
//! | string, id, enumeration, URI, date time | a string | a string |
//! | long, double, boolean | a number, a boolean | the same |
//! | void | `null` | nothing |
//!
//! Reading needs no types: the tags say what each value is. Writing needs what `/api` JSON
//! loses (optionals, structure names), so it serializes the generated values themselves:
//! `Option`s become `OPTIONAL`, a field skipped because it is unset `{"OPTIONAL": null}`, maps
//! map entries, and a structure is named by its vAPI name, which `object!` gives serde as the
//! structure's name (JSON writers ignore it), in canonical form.

use std::fmt;

use base64::Engine as _;
use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::{Map, Value, json};

/// Values nested deeper than this are refused when read (JSON parsing stops at 128 already).
const MAX_DEPTH: usize = 256;

/// The canonical vAPI name of a type, as VMware's runtimes write it: package segments as they
/// are, each type name split into words (at a lower-to-upper change, or before the last
/// capital of an acronym run) joined by `_`, acronyms kept in capitals, other words in lower
/// case: `DownloadSessionModel` → `download_session_model`, `File.Info` → `file.info`,
/// `DynamicID` → `dynamic_ID`, `HAProxyInfo` → `HA_proxy_info`, `VCenter` → `V_center`,
/// `CreateSpecV2` → `create_spec_v2`. (Checked against the 2,148 structure and error names
/// of VMware's Python SDK 9.1.1.0.)
pub(crate) fn canonical_name(vapi: &str) -> String {
    let mut out = String::with_capacity(vapi.len() + 8);
    for (i, segment) in vapi.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let chars: Vec<char> = segment.chars().collect();
        let mut words: Vec<&[char]> = Vec::new();
        let mut start = 0;
        for j in 1..chars.len() {
            let (prev, c) = (chars[j - 1], chars[j]);
            let next_lower = chars.get(j + 1).is_some_and(char::is_ascii_lowercase);
            let boundary = c.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower));
            if boundary {
                words.push(&chars[start..j]);
                start = j;
            }
        }
        words.push(&chars[start..]);
        for (k, word) in words.iter().enumerate() {
            if k > 0 {
                out.push('_');
            }
            let acronym = word.iter().all(char::is_ascii_uppercase);
            out.extend(
                word.iter()
                    .map(|c| if acronym { *c } else { c.to_ascii_lowercase() }),
            );
        }
    }
    out
}

/// The canonical name of a standard error of type `error_type` (`NOT_FOUND` →
/// `com.vmware.vapi.std.errors.not_found`).
pub(crate) fn std_error_name(error_type: &str) -> String {
    format!(
        "com.vmware.vapi.std.errors.{}",
        error_type.to_ascii_lowercase()
    )
}

/// Reads a JSON-RPC data value as the `/api` JSON of the same value.
///
/// # Errors
///
/// A message naming what is not a vAPI data value.
pub(crate) fn to_rest(value: Value) -> Result<Value, String> {
    to_rest_at(value, 0)
}

fn to_rest_at(value: Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("values nest deeper than {MAX_DEPTH} levels"));
    }
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| to_rest_at(v, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Value::Object(object) => {
            let mut entries = object.into_iter();
            let (Some((tag, inner)), None) = (entries.next(), entries.next()) else {
                return Err("an object that is not one of STRUCTURE, ERROR, OPTIONAL, \
                            SECRET, BINARY (exactly one key)"
                    .to_owned());
            };
            match (tag.as_str(), inner) {
                ("OPTIONAL", Value::Null) => Ok(Value::Null),
                ("OPTIONAL", inner) => to_rest_at(inner, depth + 1),
                ("SECRET" | "BINARY", Value::String(s)) => Ok(Value::String(s)),
                ("STRUCTURE" | "ERROR", Value::Object(named)) => {
                    let mut named = named.into_iter();
                    let (Some((_, Value::Object(fields))), None) = (named.next(), named.next())
                    else {
                        return Err(format!(
                            "{tag} holds one name whose value is the object of its fields"
                        ));
                    };
                    let mut out = Map::new();
                    for (name, field) in fields {
                        out.insert(name, to_rest_at(field, depth + 1)?);
                    }
                    Ok(Value::Object(out))
                }
                (tag, _) => Err(format!(
                    "`{tag}` is not a vAPI data value tag or has the wrong value"
                )),
            }
        }
        primitive => Ok(primitive),
    }
}

/// The `/api` JSON of a standard error (`{"error_type", "messages": [{"id",
/// "default_message", "args"}]}`, as the REST side answers) as a JSON-RPC `ERROR`.
pub(crate) fn std_error_from_rest(error_type: &str, body: &Value) -> Value {
    let messages = body
        .get("messages")
        .and_then(Value::as_array)
        .map(|messages| messages.iter().map(message).collect::<Vec<_>>())
        .unwrap_or_default();
    json!({"ERROR": {std_error_name(error_type): {
        "messages": messages,
        "data": {"OPTIONAL": null},
        "error_type": {"OPTIONAL": error_type},
    }}})
}

/// A standard error made here, with one message.
pub(crate) fn std_error(error_type: &str, id: &str, message: &str) -> Value {
    let body = json!({"messages": [{"id": id, "default_message": message, "args": []}]});
    std_error_from_rest(error_type, &body)
}

/// A `LocalizableMessage` of the `/api` JSON as a JSON-RPC structure.
fn message(m: &Value) -> Value {
    let text = |key: &str| m.get(key).and_then(Value::as_str).unwrap_or_default();
    let args: Vec<Value> = m
        .get("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|v| v.is_string()).cloned().collect())
        .unwrap_or_default();
    let localized = m.get("localized").filter(|v| v.is_string()).cloned();
    json!({"STRUCTURE": {"com.vmware.vapi.std.localizable_message": {
        "id": text("id"),
        "default_message": text("default_message"),
        "args": args,
        "params": {"OPTIONAL": null},
        "localized": {"OPTIONAL": localized},
    }}})
}

/// A value as a JSON-RPC data value.
///
/// # Errors
///
/// A value vAPI cannot express (an enum variant with data, a float that is not a number).
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Value, EncodeError> {
    value.serialize(Encoder)
}

/// Why a value could not be written as a vAPI JSON-RPC data value (an enum variant with
/// data, a double that is not a number: nothing a generated type holds).
#[derive(Debug)]
pub struct EncodeError(String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

impl ser::Error for EncodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        EncodeError(msg.to_string())
    }
}

fn unsupported(what: &str) -> EncodeError {
    EncodeError(format!("{what} has no vAPI data value"))
}

/// The serializer.
struct Encoder;

fn tagged(tag: &str, value: Value) -> Value {
    let mut object = Map::with_capacity(1);
    object.insert(tag.to_owned(), value);
    Value::Object(object)
}

impl ser::Serializer for Encoder {
    type Ok = Value;
    type Error = EncodeError;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Impossible<Value, EncodeError>;
    type SerializeMap = Entries;
    type SerializeStruct = Structure;
    type SerializeStructVariant = Impossible<Value, EncodeError>;

    fn serialize_bool(self, v: bool) -> Result<Value, EncodeError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, EncodeError> {
        Ok(Value::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, EncodeError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, EncodeError> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| unsupported("a double that is not a number"))
    }
    fn serialize_char(self, v: char) -> Result<Value, EncodeError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, EncodeError> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, EncodeError> {
        let text = base64::engine::general_purpose::STANDARD.encode(v);
        Ok(tagged("BINARY", Value::String(text)))
    }
    fn serialize_none(self) -> Result<Value, EncodeError> {
        Ok(tagged("OPTIONAL", Value::Null))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, EncodeError> {
        Ok(tagged("OPTIONAL", encode(value)?))
    }
    fn serialize_unit(self) -> Result<Value, EncodeError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, EncodeError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, EncodeError> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, EncodeError> {
        value.serialize(Encoder)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<Value, EncodeError> {
        Err(unsupported(&format!(
            "the enum variant `{variant}` with data"
        )))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, EncodeError> {
        Ok(Seq(Vec::with_capacity(len.unwrap_or(0).min(1024))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, EncodeError> {
        Err(unsupported(&format!(
            "the enum variant `{variant}` with data"
        )))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Entries, EncodeError> {
        Ok(Entries {
            entries: Vec::new(),
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Structure, EncodeError> {
        Ok(Structure {
            // A generated structure's serde name is its vAPI name (`com.vmware.pkg.Type`).
            name: if name.contains('.') {
                canonical_name(name)
            } else {
                name.to_owned()
            },
            fields: Map::new(),
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, EncodeError> {
        Err(unsupported(&format!(
            "the enum variant `{variant}` with data"
        )))
    }
}

/// A list or set being written.
struct Seq(Vec<Value>);

impl ser::SerializeSeq for Seq {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.0.push(encode(value)?);
        Ok(())
    }
    fn end(self) -> Result<Value, EncodeError> {
        Ok(Value::Array(self.0))
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, EncodeError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value, EncodeError> {
        ser::SerializeSeq::end(self)
    }
}

/// A map being written, as vAPI's list of map entries.
struct Entries {
    entries: Vec<Value>,
    key: Option<Value>,
}

impl ser::SerializeMap for Entries {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), EncodeError> {
        self.key = Some(encode(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| EncodeError("a map value without its key".to_owned()))?;
        self.entries.push(json!({"STRUCTURE": {"map-entry": {
            "key": key,
            "value": encode(value)?,
        }}}));
        Ok(())
    }
    fn end(self) -> Result<Value, EncodeError> {
        Ok(Value::Array(self.entries))
    }
}

/// A structure being written.
struct Structure {
    name: String,
    fields: Map<String, Value>,
}

impl ser::SerializeStruct for Structure {
    type Ok = Value;
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        self.fields.insert(key.to_owned(), encode(value)?);
        Ok(())
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), EncodeError> {
        // Generated structures skip exactly their unset optional fields.
        self.fields
            .insert(key.to_owned(), tagged("OPTIONAL", Value::Null));
        Ok(())
    }
    fn end(self) -> Result<Value, EncodeError> {
        Ok(tagged(
            "STRUCTURE",
            tagged_owned(self.name, Value::Object(self.fields)),
        ))
    }
}

fn tagged_owned(name: String, value: Value) -> Value {
    let mut object = Map::with_capacity(1);
    object.insert(name, value);
    Value::Object(object)
}

/// A structure written by [`encode`] (`{"STRUCTURE": {name: fields}}`) as the `ERROR` of
/// type `error_type`, its `error_type` field filled in when unset, as vCenter sends it.
pub(crate) fn as_error(encoded: Value, error_type: &str) -> Value {
    let (name, mut fields) = match encoded {
        Value::Object(mut outer) => match outer.remove("STRUCTURE") {
            Some(Value::Object(named)) => match named.into_iter().next() {
                Some((name, Value::Object(fields))) => (name, fields),
                _ => (std_error_name(error_type), Map::new()),
            },
            _ => (std_error_name(error_type), Map::new()),
        },
        _ => (std_error_name(error_type), Map::new()),
    };
    if let Some(slot) = fields.get_mut("error_type")
        && *slot == json!({"OPTIONAL": null})
    {
        *slot = json!({"OPTIONAL": error_type});
    }
    tagged("ERROR", tagged_owned(name, Value::Object(fields)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every structure and error name of the Content Library item API as VMware's Python
    /// SDK 9.1.1.0 spells it (`StructType('…')` in its `*_client.py` stubs), beside the
    /// IDL's name.
    #[test]
    fn canonical_names_are_those_of_vmware_sdk() {
        let cases = [
            (
                "com.vmware.content.library.item.DownloadSessionModel",
                "com.vmware.content.library.item.download_session_model",
            ),
            (
                "com.vmware.content.library.item.CertificateVerificationInfo",
                "com.vmware.content.library.item.certificate_verification_info",
            ),
            (
                "com.vmware.content.library.item.File.ChecksumInfo",
                "com.vmware.content.library.item.file.checksum_info",
            ),
            (
                "com.vmware.content.library.item.downloadsession.File.Info",
                "com.vmware.content.library.item.downloadsession.file.info",
            ),
            (
                "com.vmware.vapi.std.errors.NotFound",
                "com.vmware.vapi.std.errors.not_found",
            ),
            (
                "com.vmware.vapi.std.LocalizableMessage",
                "com.vmware.vapi.std.localizable_message",
            ),
            // Acronyms and digits, as the SDK's vcenter stubs spell them.
            (
                "com.vmware.vapi.std.DynamicID",
                "com.vmware.vapi.std.dynamic_ID",
            ),
            (
                "com.vmware.x.HAProxyConfigCreateSpec",
                "com.vmware.x.HA_proxy_config_create_spec",
            ),
            (
                "com.vmware.x.RegisterVMSpec",
                "com.vmware.x.register_VM_spec",
            ),
            (
                "com.vmware.x.DynamicDirectPathIODevice",
                "com.vmware.x.dynamic_direct_path_IO_device",
            ),
            ("com.vmware.x.CreateSpecV2", "com.vmware.x.create_spec_v2"),
            ("com.vmware.x.Ipv4Info", "com.vmware.x.ipv4_info"),
            ("com.vmware.x.X509CertChain", "com.vmware.x.x509_cert_chain"),
            ("com.vmware.x.VAppTemplate", "com.vmware.x.V_app_template"),
            ("com.vmware.x.NsxT1Defaults", "com.vmware.x.nsx_t1_defaults"),
        ];
        for (idl, canonical) in cases {
            assert_eq!(canonical_name(idl), canonical, "{idl}");
        }
        assert_eq!(
            std_error_name("RESOURCE_BUSY"),
            "com.vmware.vapi.std.errors.resource_busy"
        );
    }

    #[test]
    fn data_values_read_as_api_json() {
        // As the Python SDK sends a DownloadSession.create input (captured).
        let input = json!({"STRUCTURE": {"operation-input": {
            "client_token": {"OPTIONAL": "tok"},
            "create_spec": {"STRUCTURE": {"com.vmware.content.library.item.download_session_model": {
                "client_progress": {"OPTIONAL": null},
                "library_item_id": {"OPTIONAL": "item-1"},
            }}},
            "map": [{"STRUCTURE": {"map-entry": {"key": "k", "value": {"SECRET": "s"}}}}],
            "bytes": {"BINARY": "AAE="},
            "n": 3,
        }}});
        assert_eq!(
            to_rest(input),
            Ok(json!({
                "client_token": "tok",
                "create_spec": {"client_progress": null, "library_item_id": "item-1"},
                "map": [{"key": "k", "value": "s"}],
                "bytes": "AAE=",
                "n": 3,
            }))
        );
        for bad in [
            json!({"a": 1}),
            json!({"OPTIONAL": 1, "SECRET": "x"}),
            json!({"STRUCTURE": {"a": {}, "b": {}}}),
            json!({"STRUCTURE": {"a": 1}}),
            json!({"SECRET": 1}),
            json!([{"BINARY": null}]),
        ] {
            assert!(to_rest(bad.clone()).is_err(), "{bad}");
        }
        let mut deep = json!(1);
        for _ in 0..300 {
            deep = json!({ "OPTIONAL": deep });
        }
        assert!(to_rest(deep).unwrap_err().contains("deeper"));
    }

    #[derive(Serialize)]
    #[serde(rename = "com.vmware.x.Thing.SpecInfo")]
    struct Named {
        #[serde(skip_serializing_if = "Option::is_none")]
        unset: Option<String>,
        set: Option<u32>,
        map: std::collections::BTreeMap<String, bool>,
        list: Vec<f64>,
    }

    #[test]
    fn values_are_written_as_data_values() {
        let value = Named {
            unset: None,
            set: Some(7),
            map: [("a".to_owned(), true)].into(),
            list: vec![1.5],
        };
        assert_eq!(
            encode(&value).unwrap(),
            json!({"STRUCTURE": {"com.vmware.x.thing.spec_info": {
                "unset": {"OPTIONAL": null},
                "set": {"OPTIONAL": 7},
                "map": [{"STRUCTURE": {"map-entry": {"key": "a", "value": true}}}],
                "list": [1.5],
            }}})
        );
        // JSON writers ignore the name.
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            json!({"set": 7, "map": {"a": true}, "list": [1.5]})
        );
        assert_eq!(encode(&()).unwrap(), Value::Null);
        assert_eq!(
            encode(&serde_bytes_like()).unwrap(),
            json!({"BINARY": "AAE="})
        );
        assert!(encode(&f64::NAN).is_err());
        let error = as_error(encode(&value).unwrap(), "NOT_FOUND");
        assert!(error["ERROR"]["com.vmware.x.thing.spec_info"].is_object());
    }

    fn serde_bytes_like() -> impl Serialize {
        struct Bytes;
        impl Serialize for Bytes {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&[0, 1])
            }
        }
        Bytes
    }

    #[test]
    fn rest_errors_become_std_errors() {
        let body = json!({"error_type": "UNAUTHENTICATED", "messages": [
            {"id": "vapi.x", "default_message": "no", "args": ["a", 1]}]});
        assert_eq!(
            std_error_from_rest("UNAUTHENTICATED", &body),
            json!({"ERROR": {"com.vmware.vapi.std.errors.unauthenticated": {
                "messages": [{"STRUCTURE": {"com.vmware.vapi.std.localizable_message": {
                    "id": "vapi.x", "default_message": "no", "args": ["a"],
                    "params": {"OPTIONAL": null}, "localized": {"OPTIONAL": null}}}}],
                "data": {"OPTIONAL": null},
                "error_type": {"OPTIONAL": "UNAUTHENTICATED"},
            }}})
        );
    }
}
