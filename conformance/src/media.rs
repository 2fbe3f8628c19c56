//! The binary payloads of the fixtures: a 1x1 red PNG and a short silent WAV clip.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// A 1x1 red pixel, as PNG (RGB, 8 bits a channel).
const RED_PIXEL_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC";

/// The bytes of a 1x1 red PNG.
pub fn png() -> Vec<u8> {
    STANDARD
        .decode(RED_PIXEL_PNG)
        .expect("the embedded PNG is valid base64")
}

/// The PNG, base64-encoded as it goes on the wire.
pub fn png_base64() -> String {
    RED_PIXEL_PNG.to_owned()
}

/// A WAV file: 100 ms of silence, mono, 8 kHz, 16-bit PCM.
pub fn wav() -> Vec<u8> {
    const RATE: u32 = 8_000;
    const SAMPLES: u32 = RATE / 10;
    let data_len = SAMPLES * 2;
    let mut w = Vec::with_capacity(44 + data_len as usize);
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + data_len).to_le_bytes());
    w.extend_from_slice(b"WAVE");
    w.extend_from_slice(b"fmt ");
    w.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    w.extend_from_slice(&1u16.to_le_bytes()); // PCM
    w.extend_from_slice(&1u16.to_le_bytes()); // mono
    w.extend_from_slice(&RATE.to_le_bytes());
    w.extend_from_slice(&(RATE * 2).to_le_bytes()); // byte rate
    w.extend_from_slice(&2u16.to_le_bytes()); // block align
    w.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    w.extend_from_slice(b"data");
    w.extend_from_slice(&data_len.to_le_bytes());
    w.resize(44 + data_len as usize, 0);
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_have_their_magic_numbers() {
        assert!(png().starts_with(b"\x89PNG\r\n\x1a\n"));
        let w = wav();
        assert_eq!(&w[..4], b"RIFF");
        assert_eq!(&w[8..12], b"WAVE");
        assert_eq!(
            u32::from_le_bytes(w[4..8].try_into().unwrap()) as usize,
            w.len() - 8
        );
    }
}
