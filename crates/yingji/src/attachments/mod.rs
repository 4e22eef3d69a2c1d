//! Attachments (附件): photos and documents that incidents, instruction
//! feedback and duty-log entries refer to by id. The rules here are pure: what
//! a file is (by its magic bytes, never by its name or the declared type),
//! the size limit, a safe display name, and whether a record may use an
//! attachment.

pub mod api;
pub mod model;
pub mod store;

use serde::Serialize;

use crate::error::FieldError;

/// Largest accepted file.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("文件为空")]
    Empty,
    #[error("文件过大（上限 10 MB）")]
    TooLarge,
    #[error("只接受 JPEG、PNG、WebP 图片或 PDF 文件")]
    UnsupportedType,
}

impl AttachmentError {
    /// The problem as a coded error of the upload's `file` field.
    pub fn field_error(&self) -> FieldError {
        let message = self.to_string();
        match self {
            AttachmentError::Empty => FieldError::new("file", message).code("file_empty"),
            AttachmentError::TooLarge => FieldError::new("file", message).code("file_too_large"),
            AttachmentError::UnsupportedType => {
                FieldError::new("file", message).code("file_type_not_accepted")
            }
        }
    }
}

/// The accepted types, recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mime {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/webp")]
    Webp,
    #[serde(rename = "application/pdf")]
    Pdf,
}

impl Mime {
    pub fn as_str(self) -> &'static str {
        match self {
            Mime::Jpeg => "image/jpeg",
            Mime::Png => "image/png",
            Mime::Webp => "image/webp",
            Mime::Pdf => "application/pdf",
        }
    }
}

/// What the bytes are, by their signature.
pub fn sniff(bytes: &[u8]) -> Option<Mime> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Mime::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Mime::Png)
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Mime::Webp)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Mime::Pdf)
    } else {
        None
    }
}

/// Check an upload: not empty, within the limit, of an accepted type.
pub fn check(bytes: &[u8]) -> Result<Mime, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    sniff(bytes).ok_or(AttachmentError::UnsupportedType)
}

/// A display name without directories or control characters, at most 120
/// characters, never empty.
pub fn clean_name(name: &str, mime: Mime) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        let ext = match mime {
            Mime::Jpeg => "jpg",
            Mime::Png => "png",
            Mime::Webp => "webp",
            Mime::Pdf => "pdf",
        };
        format!("附件.{ext}")
    } else {
        cleaned
    }
}

/// Whether a record in division `record` may use an attachment recorded in
/// division `attachment`: the record must lie inside the attachment's
/// division (a city upload may go on a county incident, not the reverse, and
/// never across counties). Using it moves the attachment to the record's
/// division, so everyone who may read the record may read the attachment.
pub fn usable_in(attachment: &str, record: &str) -> bool {
    let prefix = crate::divisions::Code::parse(attachment)
        .map(|c| c.prefix().to_string())
        .unwrap_or_else(|_| attachment.to_string());
    record.starts_with(&prefix)
}

/// Why attachments cannot be used on a record.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{}: {}", .0.field, .0.message)]
    Field(crate::error::FieldError),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

/// Use attachments on a record of `division`: each id must exist, be in the
/// caller's `scope` and be usable there (see [`usable_in`]); they move to
/// the record's division. Unknown ids, duplicates, or another
/// jurisdiction's attachments are a 422 naming `field`.
pub async fn link(
    tx: &mut crate::db::Tx,
    scope: &crate::auth::Scope,
    ids: &[i64],
    division: &str,
    field: &str,
) -> Result<(), LinkError> {
    if ids.len() > 20 {
        return Err(LinkError::Field(
            FieldError::new(field, "最多 20 个附件")
                .code("too_many")
                .param("max", 20),
        ));
    }
    for (n, id) in ids.iter().enumerate() {
        if ids[..n].contains(id) {
            return Err(LinkError::Field(
                FieldError::new(field, format!("附件 {id} 重复"))
                    .code("duplicate_attachment")
                    .param("id", *id),
            ));
        }
        let m = store::meta_tx(tx, *id)
            .await?
            .filter(|m| scope.covers(&m.division, ""));
        match m {
            None => {
                return Err(LinkError::Field(
                    FieldError::new(field, format!("找不到附件 {id}，或不在您的管辖范围内"))
                        .code("attachment_not_found")
                        .param("id", *id),
                ))
            }
            Some(m) if !usable_in(&m.division, division) => {
                return Err(LinkError::Field(
                    FieldError::new(field, format!("附件 {id} 属于其他区划，不能用于本记录"))
                        .code("attachment_other_division")
                        .param("id", *id),
                ))
            }
            Some(m) if m.division != division => {
                store::set_division(tx, m.id, division).await?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_their_bytes() {
        let webp = b"RIFF\x10\x00\x00\x00WEBPVP8 ";
        let table: [(&[u8], Option<Mime>); 8] = [
            (&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], Some(Mime::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(Mime::Png)),
            (webp, Some(Mime::Webp)),
            (b"%PDF-1.7\n", Some(Mime::Pdf)),
            (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
            (b"GIF89a", None),
            (b"<svg xmlns=", None),
            (b"MZ\x90\0", None),
        ];
        for (bytes, want) in table {
            assert_eq!(sniff(bytes), want, "{bytes:?}");
        }
    }

    #[test]
    fn uploads_are_checked() {
        assert_eq!(check(b""), Err(AttachmentError::Empty));
        assert_eq!(check(b"hello"), Err(AttachmentError::UnsupportedType));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_BYTES, b' ');
        assert_eq!(check(&big), Ok(Mime::Pdf), "exactly the limit is fine");
        big.push(b' ');
        assert_eq!(check(&big), Err(AttachmentError::TooLarge));
    }

    #[test]
    fn names_are_cleaned() {
        let table = [
            ("现场.jpg", Mime::Jpeg, "现场.jpg"),
            ("C:\\Users\\a\\照片 1.png", Mime::Png, "照片 1.png"),
            ("../../etc/passwd", Mime::Pdf, "passwd"),
            ("", Mime::Webp, "附件.webp"),
            ("dir/", Mime::Jpeg, "附件.jpg"),
            ("a\"b\nc.pdf", Mime::Pdf, "abc.pdf"),
        ];
        for (input, mime, want) in table {
            assert_eq!(clean_name(input, mime), want, "{input:?}");
        }
        assert_eq!(
            clean_name(&"长".repeat(300), Mime::Jpeg).chars().count(),
            120
        );
    }

    #[test]
    fn a_record_uses_attachments_of_its_own_or_a_higher_division() {
        let table = [
            ("140213000000", "140213000000", true),
            ("140200000000", "140213100000", true),
            ("140213000000", "140213100201", true),
            ("140213000000", "140215000000", false),
            ("140213100000", "140213000000", false),
        ];
        for (att, rec, want) in table {
            assert_eq!(usable_in(att, rec), want, "{att} {rec}");
        }
    }
}
