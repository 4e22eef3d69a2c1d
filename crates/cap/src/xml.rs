//! The safe XML front end: bytes → characters → a small element tree.
//!
//! Safety by construction:
//! - the input size is checked before anything else is done;
//! - a document type declaration (`<!DOCTYPE …>`) is rejected outright, so no
//!   DTD is ever read, no entity is ever defined and nothing is ever fetched;
//! - only the five predefined entities and character references are expanded,
//!   any other `&name;` is an error (billion-laughs and XXE payloads need a DTD);
//! - nesting depth, element count, attributes per element and the text length of
//!   one element are bounded by [`Limits`];
//! - processing instructions (`<?xml-stylesheet …?>`) and comments are skipped,
//!   never acted on.
//!
//! The tree keeps what the validator needs: resolved namespace, local name,
//! attributes, children in order and the element's own text.

use std::collections::HashMap;
use std::rc::Rc;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

use crate::error::ParseError;

/// Bounds on what the reader accepts. The defaults suit CAP messages with
/// embedded resources of a few megabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes (default 8 MiB).
    pub max_bytes: usize,
    /// Deepest element nesting, the root counting 1 (default 32; CAP needs 5).
    pub max_depth: usize,
    /// Most elements in the document (default 100 000).
    pub max_elements: usize,
    /// Longest text content of one element, in bytes after decoding (default 4 MiB).
    pub max_text_bytes: usize,
    /// Most attributes (namespace declarations included) on one element (default 64).
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 8 * 1024 * 1024,
            max_depth: 32,
            max_elements: 100_000,
            max_text_bytes: 4 * 1024 * 1024,
            max_attributes: 64,
        }
    }
}

/// An attribute of an [`Element`].
#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub ns: Option<Rc<str>>,
    pub name: String,
    #[allow(dead_code)]
    pub value: String,
}

/// An element: resolved namespace, local name, attributes, children, own text.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub ns: Option<Rc<str>>,
    /// Interned id of `ns` within the document (0: no namespace); compare
    /// these instead of the strings.
    pub ns_id: u32,
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    /// The element's own character data (CDATA included), concatenated.
    pub text: String,
}

impl Element {
    fn new(ns: Option<Rc<str>>, ns_id: u32, name: String) -> Self {
        Element {
            ns,
            ns_id,
            name,
            attrs: Vec::new(),
            children: Vec::new(),
            text: String::new(),
        }
    }

    /// Whether this element is in the namespace with interned id `ns_id`.
    pub fn in_ns(&self, ns_id: u32) -> bool {
        self.ns_id == ns_id
    }
}

/// A decoded, parsed document: its root element and the encoding it was read from.
#[derive(Debug)]
pub(crate) struct Tree {
    pub root: Element,
    pub encoding: &'static str,
}

/// Finds the `encoding` pseudo-attribute of an XML declaration at the start of
/// an ASCII-compatible document.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[5..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].trim().to_string())
}

/// Decodes the input to text: BOM first, then the XML declaration's encoding,
/// else UTF-8. Malformed byte sequences are an error, never replaced.
fn decode(bytes: &[u8]) -> Result<(String, &'static str), ParseError> {
    let bad = |encoding: &str| ParseError::Decode {
        encoding: encoding.to_string(),
    };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec())
            .map(|s| (s, "UTF-8"))
            .map_err(|_| bad("UTF-8"));
    }
    let utf16 = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        Some((encoding_rs::UTF_16LE, rest))
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        Some((encoding_rs::UTF_16BE, rest))
    } else if bytes.starts_with(b"<\0?\0") {
        Some((encoding_rs::UTF_16LE, bytes))
    } else if bytes.starts_with(b"\0<\0?") {
        Some((encoding_rs::UTF_16BE, bytes))
    } else {
        None
    };
    if let Some((enc, rest)) = utf16 {
        return enc
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|s| (s.into_owned(), enc.name()))
            .ok_or_else(|| bad(enc.name()));
    }
    let label = declared_encoding(bytes).unwrap_or_default();
    let norm = label.to_ascii_lowercase().replace('_', "-");
    match norm.as_str() {
        "" | "utf-8" | "utf8" | "us-ascii" | "ascii" => String::from_utf8(bytes.to_vec())
            .map(|s| (s, "UTF-8"))
            .map_err(|_| bad("UTF-8")),
        // True ISO-8859-1 (encoding_rs maps the label to windows-1252 per WHATWG).
        "iso-8859-1" | "latin1" | "latin-1" | "l1" | "iso8859-1" | "iso-ir-100" | "cp819" => {
            Ok((bytes.iter().map(|&b| char::from(b)).collect(), "ISO-8859-1"))
        }
        "utf-16" | "utf-16le" | "utf-16be" => Err(ParseError::Decode {
            encoding: format!("{label} (no byte-order mark, but ASCII-compatible bytes)"),
        }),
        _ => {
            let enc = encoding_rs::Encoding::for_label(label.as_bytes())
                .filter(|e| *e != encoding_rs::REPLACEMENT && *e != encoding_rs::X_USER_DEFINED)
                .ok_or_else(|| ParseError::UnsupportedEncoding(label.clone()))?;
            enc.decode_without_bom_handling_and_without_replacement(bytes)
                .map(|s| (s.into_owned(), enc.name()))
                .ok_or_else(|| bad(enc.name()))
        }
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first character of `s` that XML 1.0 does not allow (C0 controls other
/// than tab, line feed and carriage return; U+FFFE; U+FFFF).
fn illegal_char(s: &str) -> Option<char> {
    let b = s.as_bytes();
    let clean = b.iter().enumerate().all(|(i, &c)| {
        (c >= 0x20 || matches!(c, b'\t' | b'\n' | b'\r'))
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            && !(c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
    });
    if clean {
        None
    } else {
        s.chars().find(|&c| !is_xml_char(c))
    }
}

fn check_chars(text: &str, pos: usize, s: &str) -> Result<(), ParseError> {
    match illegal_char(s) {
        None => Ok(()),
        Some(c) => Err(xml_error(
            text,
            pos,
            format!("character U+{:04X} is not allowed in XML 1.0", u32::from(c)),
        )),
    }
}

/// Line and column (1-based) of byte offset `pos` in `text`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = text.as_bytes().get(..pos).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

fn xml_error(text: &str, pos: usize, message: impl Into<String>) -> ParseError {
    let (line, column) = line_col(text, pos);
    ParseError::Xml {
        line,
        column,
        message: message.into(),
    }
}

/// Interns namespace URIs, so that elements compare namespaces by id.
#[derive(Default)]
struct Interner(HashMap<Rc<str>, u32>);

impl Interner {
    fn get(&mut self, ns: &str) -> (Rc<str>, u32) {
        if let Some((k, id)) = self.0.get_key_value(ns) {
            return (k.clone(), *id);
        }
        let id = u32::try_from(self.0.len() + 1).unwrap_or(u32::MAX);
        let n: Rc<str> = Rc::from(ns);
        self.0.insert(n.clone(), id);
        (n, id)
    }

    fn resolve(&mut self, r: &ResolveResult<'_>) -> Result<(Option<Rc<str>>, u32), String> {
        match r {
            ResolveResult::Bound(ns) => {
                let (n, id) = self.get(ns.0);
                Ok((Some(n), id))
            }
            ResolveResult::Unbound => Ok((None, 0)),
            ResolveResult::Unknown(p) => Err(format!("undeclared namespace prefix {p:?}")),
        }
    }
}

/// Reads `bytes` into a tree, enforcing `limits`.
pub(crate) fn read_tree(bytes: &[u8], limits: &Limits) -> Result<Tree, ParseError> {
    if bytes.len() > limits.max_bytes {
        return Err(ParseError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let (text, encoding) = decode(bytes)?;
    let root = build(&text, limits)?;
    Ok(Tree { root, encoding })
}

fn build(text: &str, limits: &Limits) -> Result<Element, ParseError> {
    let mut reader = NsReader::from_str(text);
    {
        let cfg = reader.config_mut();
        cfg.trim_text(false);
        cfg.expand_empty_elements = false;
        cfg.check_end_names = true;
        cfg.check_comments = true;
        cfg.allow_unmatched_ends = false;
    }
    reader
        .resolver_mut()
        .set_max_namespace_bindings(limits.max_attributes.saturating_mul(limits.max_depth));
    let mut interner = Interner::default();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;

    loop {
        let pos = reader.buffer_position() as usize;
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(v) => v,
            Err(e) => {
                return Err(xml_error(
                    text,
                    reader.error_position() as usize,
                    e.to_string(),
                ))
            }
        };
        match event {
            Event::DocType(_) => return Err(ParseError::Doctype),
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(xml_error(text, pos, "content after the root element"));
                }
                elements += 1;
                if elements > limits.max_elements {
                    return Err(ParseError::TooManyElements {
                        limit: limits.max_elements,
                    });
                }
                if stack.len() >= limits.max_depth {
                    return Err(ParseError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                let (ns, ns_id) = interner
                    .resolve(&resolved)
                    .map_err(|m| xml_error(text, pos, m))?;
                let name = e.local_name().as_ref().to_string();
                check_chars(text, pos, &name)?;
                let mut el = Element::new(ns, ns_id, name);
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| xml_error(text, pos, err.to_string()))?;
                    if el.attrs.len() >= limits.max_attributes {
                        return Err(ParseError::TooManyAttributes {
                            limit: limits.max_attributes,
                        });
                    }
                    let key = attr.key;
                    let raw_name = key.as_ref().to_string();
                    if raw_name == "xmlns" || raw_name.starts_with("xmlns:") {
                        // Namespace declarations are handled by the resolver.
                        continue;
                    }
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|err| match &err {
                            quick_xml::Error::Escape(
                                quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                            ) => ParseError::Entity(name.clone()),
                            _ => xml_error(text, pos, err.to_string()),
                        })?;
                    check_chars(text, pos, &value)?;
                    let (ans, local) = reader.resolver().resolve_attribute(key);
                    let (ans, _) = interner
                        .resolve(&ans)
                        .map_err(|m| xml_error(text, pos, m))?;
                    el.attrs.push(Attr {
                        ns: ans,
                        name: local.as_ref().to_string(),
                        value: value.into_owned(),
                    });
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(el);
                } else {
                    close(el, &mut stack, &mut root);
                }
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(el, &mut stack, &mut root),
                None => return Err(xml_error(text, pos, "unmatched end tag")),
            },
            Event::Text(t) => {
                let s = t.xml10_content();
                push_text(text, pos, &mut stack, &s, limits)?;
            }
            Event::CData(t) => {
                let s = t.xml10_content();
                push_text(text, pos, &mut stack, &s, limits)?;
            }
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => c,
                        _ => {
                            return Err(xml_error(
                                text,
                                pos,
                                format!("character reference &{}; is not an XML character", &*r),
                            ))
                        }
                    }
                } else {
                    match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(ParseError::Entity(other.to_string())),
                    }
                };
                let mut buf = [0u8; 4];
                push_text(text, pos, &mut stack, c.encode_utf8(&mut buf), limits)?;
            }
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(xml_error(
            text,
            text.len(),
            format!(
                "document ends inside element <{}>",
                stack.last().map_or("", |e| &e.name)
            ),
        ));
    }
    root.ok_or_else(|| xml_error(text, text.len(), "no root element"))
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn push_text(
    text: &str,
    pos: usize,
    stack: &mut [Element],
    s: &str,
    limits: &Limits,
) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(el) => {
            if el.text.len() + s.len() > limits.max_text_bytes {
                return Err(ParseError::TextTooLong {
                    limit: limits.max_text_bytes,
                });
            }
            check_chars(text, pos, s)?;
            el.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => check_chars(text, pos, s),
        None => Err(xml_error(text, pos, "text outside the root element")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let (s, e) = decode(b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xE9</a>").unwrap();
        assert_eq!(e, "ISO-8859-1");
        assert!(s.contains('é'));
        let (s, e) = decode(b"<?xml version=\"1.0\" encoding=\"GBK\"?><a>\xD6\xD0</a>").unwrap();
        assert_eq!(e, "GBK");
        assert!(s.contains('中'));
        assert!(matches!(
            decode(b"<?xml version=\"1.0\" encoding=\"klingon\"?><a/>"),
            Err(ParseError::UnsupportedEncoding(_))
        ));
        assert!(matches!(
            decode(b"<a>\xFF</a>"),
            Err(ParseError::Decode { .. })
        ));
    }

    #[test]
    fn tree_basics() {
        let t = read_tree(
            b"<p:a xmlns:p='urn:x' q='1'>x&amp;y&#x4E2D;<![CDATA[<z>]]><p:b/></p:a>",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(t.root.name, "a");
        assert_eq!(t.root.ns.as_deref(), Some("urn:x"));
        assert_eq!(t.root.text, "x&y中<z>");
        assert_eq!(t.root.children.len(), 1);
        assert_eq!(t.root.attrs.len(), 1);
    }

    #[test]
    fn rejects() {
        let l = Limits::default();
        assert!(matches!(
            read_tree(b"<a>&foo;</a>", &l),
            Err(ParseError::Entity(_))
        ));
        assert!(matches!(
            read_tree(b"<a b='&foo;'/>", &l),
            Err(ParseError::Entity(_))
        ));
        assert!(matches!(
            read_tree(b"<a>\x01</a>", &l),
            Err(ParseError::Xml { .. })
        ));
        assert!(matches!(
            read_tree(b"<a><b></a>", &l),
            Err(ParseError::Xml { .. })
        ));
        assert!(matches!(
            read_tree(b"<a/><b/>", &l),
            Err(ParseError::Xml { .. })
        ));
        assert!(matches!(read_tree(b"<a>", &l), Err(ParseError::Xml { .. })));
        assert!(matches!(read_tree(b"", &l), Err(ParseError::Xml { .. })));
        assert!(matches!(
            read_tree(b"<a>&#0;</a>", &l),
            Err(ParseError::Xml { .. })
        ));
        assert!(matches!(
            read_tree(b"<x:a/>", &l),
            Err(ParseError::Xml { .. })
        ));
    }
}
