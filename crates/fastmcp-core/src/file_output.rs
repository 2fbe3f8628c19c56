//! Files as return values: [`File`] (any file, from a path or from bytes), and images and
//! audio read from disk, with their MIME types detected.
//!
//! A tool returning a [`File`] answers with an image or audio content block when the file
//! is one, else with an embedded resource (text when the bytes are UTF-8 text, a base64
//! blob otherwise). A resource returning one is read as its text or blob.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use fastmcp_protocol::{CallToolResult, ContentBlock, ReadResourceResult, ResourceContents};

use crate::output::{Audio, Image, IntoToolResult};
use crate::resource_output::IntoResourceResult;
use crate::Error;

/// How large a file [`File::read`] reads by default (16 MiB); see [`File::read_at_most`].
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 << 20;

/// A file returned by a tool or a resource: its bytes, its MIME type and a name.
///
/// ```
/// use fastmcp_core::File;
///
/// let f = File::named("report.csv", "a,b\n1,2\n");
/// assert_eq!(f.mime_type, "text/csv");
/// let png = File::from_bytes(vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]);
/// assert_eq!(png.mime_type, "image/png");
/// # async fn f() -> Result<(), fastmcp_core::Error> {
/// let logo = File::read("assets/logo.svg").await?; // image/svg+xml
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The file's name (for an embedded resource's URI, `file:///name`).
    pub name: Option<String>,
    /// The bytes.
    pub data: Vec<u8>,
    /// The MIME type.
    pub mime_type: String,
}

impl File {
    /// A file of the given type.
    pub fn new(data: impl Into<Vec<u8>>, mime_type: impl Into<String>) -> Self {
        File {
            name: None,
            data: data.into(),
            mime_type: mime_type.into(),
        }
    }

    /// A file whose type is found from its first bytes (see [`sniff`]).
    pub fn from_bytes(data: impl Into<Vec<u8>>) -> Self {
        let data = data.into();
        let mime_type = sniff(&data).to_owned();
        File {
            name: None,
            data,
            mime_type,
        }
    }

    /// A file called `name`, its type found from the name's extension, else its bytes.
    pub fn named(name: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        let (name, data) = (name.into(), data.into());
        let mime_type = detect(Path::new(&name), &data);
        File {
            name: Some(name),
            data,
            mime_type,
        }
    }

    /// Read the file at `path` (at most [`DEFAULT_MAX_FILE_SIZE`] bytes).
    pub async fn read(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::read_at_most(path, DEFAULT_MAX_FILE_SIZE).await
    }

    /// Read the file at `path`; a file larger than `max` bytes is an error (checked
    /// before and while reading, so a file that grows is not read past the limit).
    pub async fn read_at_most(path: impl AsRef<Path>, max: u64) -> Result<Self, Error> {
        let path = path.as_ref();
        let data = read_limited(path, max).await?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let mime_type = detect(path, &data);
        Ok(File {
            name,
            data,
            mime_type,
        })
    }

    /// The URI of the file as an embedded resource.
    fn uri(&self) -> String {
        format!("file:///{}", self.name.as_deref().unwrap_or("file"))
    }

    /// The file's contents at `uri`: text when it is UTF-8 text, else a blob.
    fn contents(self, uri: &str) -> ResourceContents {
        if is_textual(&self.mime_type) {
            match String::from_utf8(self.data) {
                Ok(text) => return ResourceContents::text(uri, self.mime_type, text),
                Err(e) => {
                    let data = STANDARD.encode(e.as_bytes());
                    return ResourceContents::blob(uri, self.mime_type, data);
                }
            }
        }
        ResourceContents::blob(uri, self.mime_type, STANDARD.encode(&self.data))
    }
}

impl Image {
    /// Read an image file (its type from the extension, else its bytes; at most
    /// [`DEFAULT_MAX_FILE_SIZE`] bytes).
    pub async fn read(path: impl AsRef<Path>) -> Result<Self, Error> {
        let f = File::read(path).await?;
        Ok(Image {
            data: f.data,
            mime_type: f.mime_type,
        })
    }
}

impl Audio {
    /// Read an audio file (its type from the extension, else its bytes; at most
    /// [`DEFAULT_MAX_FILE_SIZE`] bytes).
    pub async fn read(path: impl AsRef<Path>) -> Result<Self, Error> {
        let f = File::read(path).await?;
        Ok(Audio {
            data: f.data,
            mime_type: f.mime_type,
        })
    }
}

impl From<File> for ContentBlock {
    fn from(f: File) -> Self {
        if f.mime_type.starts_with("image/") {
            return ContentBlock::image(STANDARD.encode(&f.data), f.mime_type);
        }
        if f.mime_type.starts_with("audio/") {
            return ContentBlock::audio(STANDARD.encode(&f.data), f.mime_type);
        }
        let uri = f.uri();
        ContentBlock::resource(f.contents(&uri))
    }
}

impl IntoToolResult for File {
    fn into_tool_result(self) -> Result<CallToolResult, Error> {
        ContentBlock::from(self).into_tool_result()
    }
}

impl IntoResourceResult for File {
    fn into_resource_result(
        self,
        uri: &str,
        _mime: Option<&str>,
    ) -> Result<ReadResourceResult, Error> {
        Ok(ReadResourceResult {
            contents: vec![self.contents(uri)],
            ..Default::default()
        })
    }
}

/// Read at most `max` bytes of `path`; more is an error.
async fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, Error> {
    use tokio::io::AsyncReadExt;
    let shown = path.display();
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::tool(format!("cannot read {shown}: {e}")))?;
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let too_large = || Error::tool(format!("{shown} is larger than {max} bytes"));
    if len > max {
        return Err(too_large());
    }
    let mut data = Vec::with_capacity(len as usize);
    file.take(max + 1)
        .read_to_end(&mut data)
        .await
        .map_err(|e| Error::tool(format!("cannot read {shown}: {e}")))?;
    if data.len() as u64 > max {
        return Err(too_large());
    }
    Ok(data)
}

/// The MIME type a file's extension stands for, if it is a known one.
///
/// ```
/// use std::path::Path;
/// assert_eq!(fastmcp_core::guess_mime(Path::new("a/b.md")).as_deref(), Some("text/markdown"));
/// assert_eq!(fastmcp_core::guess_mime(Path::new("noext")), None);
/// ```
pub fn guess_mime(path: &Path) -> Option<String> {
    mime_guess::from_path(path)
        .first()
        .map(|m| m.essence_str().to_owned())
}

/// The MIME type of a file: from its extension when known, else from its bytes.
fn detect(path: &Path, data: &[u8]) -> String {
    guess_mime(path).unwrap_or_else(|| sniff(data).to_owned())
}

/// The MIME type of bytes, from the signatures of common formats; UTF-8 text is
/// `text/plain`, anything else `application/octet-stream`.
///
/// ```
/// assert_eq!(fastmcp_core::sniff(b"%PDF-1.7"), "application/pdf");
/// assert_eq!(fastmcp_core::sniff(b"hello"), "text/plain");
/// assert_eq!(fastmcp_core::sniff(&[0, 159, 146, 150]), "application/octet-stream");
/// ```
pub fn sniff(data: &[u8]) -> &'static str {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"ID3", "audio/mpeg"),
        (b"\xff\xfb", "audio/mpeg"),
        (b"OggS", "audio/ogg"),
        (b"fLaC", "audio/flac"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1f\x8b", "application/gzip"),
    ];
    if let Some((_, m)) = SIGNATURES.iter().find(|(sig, _)| data.starts_with(sig)) {
        return m;
    }
    let riff = |kind: &[u8]| data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == kind;
    if riff(b"WEBP") {
        return "image/webp";
    }
    if riff(b"WAVE") {
        return "audio/wav";
    }
    if std::str::from_utf8(data).is_ok() {
        return "text/plain";
    }
    "application/octet-stream"
}

/// Whether a MIME type is text (sent as text when its bytes are UTF-8).
fn is_textual(mime: &str) -> bool {
    mime.starts_with("text/")
        || matches!(
            mime,
            "application/json"
                | "application/xml"
                | "application/javascript"
                | "application/yaml"
                | "application/toml"
                | "image/svg+xml"
        )
        || mime.ends_with("+json")
        || mime.ends_with("+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_becomes_the_content_block_of_its_kind() {
        let img = File::from_bytes(b"GIF89a....".to_vec());
        assert!(
            matches!(ContentBlock::from(img), ContentBlock::Image(i) if i.mime_type == "image/gif")
        );
        let wav = File::named("a.wav", vec![0u8; 4]);
        assert!(matches!(ContentBlock::from(wav), ContentBlock::Audio(_)));
        let csv = File::named("t.csv", "a,b");
        let v = serde_json::to_value(ContentBlock::from(csv)).unwrap();
        assert_eq!(v["type"], "resource");
        assert_eq!(v["resource"]["uri"], "file:///t.csv");
        assert_eq!(v["resource"]["mimeType"], "text/csv");
        assert_eq!(v["resource"]["text"], "a,b");
        let bin = File::from_bytes(vec![0u8, 159, 146, 150]);
        let v = serde_json::to_value(ContentBlock::from(bin)).unwrap();
        assert_eq!(v["resource"]["blob"], STANDARD.encode([0u8, 159, 146, 150]));
        assert_eq!(v["resource"]["mimeType"], "application/octet-stream");
    }

    #[test]
    fn webp_and_wav_are_told_apart_inside_riff() {
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), "audio/wav");
        assert_eq!(sniff(b"RIFF"), "text/plain");
    }
}
