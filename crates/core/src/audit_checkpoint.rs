//! Checkpoints of the audit chain kept outside the database: each says "the chain reached record
//! `seq` with hash `hash` at `at`", sealed with an HMAC-SHA256 whose key the database never sees.
//! A later verification that finds the database shorter than, or different from, a checkpoint
//! knows the tail was removed or rewritten, even if the head marker was moved to match.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The key length in bytes (a file holds it as 64 hex digits).
pub const KEY_BYTES: usize = 32;

/// Domain separation: a MAC made for something else never passes as a checkpoint's.
const DOMAIN: &str = "jixiao-audit-checkpoint-v1";

/// One checkpoint: one line of the checkpoint file, `seq<TAB>hash<TAB>at<TAB>mac`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The last record of the chain at that moment (0 for an empty log).
    pub seq: i64,
    /// That record's hash.
    pub hash: String,
    /// When the checkpoint was taken (RFC 3339, UTC).
    pub at: String,
    /// HMAC-SHA256 over the three fields above, lowercase hex.
    pub mac: String,
}

/// Why a checkpoint line or key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The key is not 64 hex digits.
    #[error("审计密钥格式不正确（应为 64 位十六进制数）")]
    BadKey,
    /// A line does not have the four fields.
    #[error("检查点文件第{line}行格式不正确")]
    Malformed {
        /// The line number, from 1.
        line: usize,
    },
    /// A line's MAC does not match its fields under the key.
    #[error(
        "检查点文件第{line}行（第{seq}条记录）的校验码不符：检查点文件被改动，或密钥不是写入时的密钥"
    )]
    BadMac {
        /// The line number, from 1.
        line: usize,
        /// The record the line names.
        seq: i64,
    },
}

/// Decodes a key file's text (64 hex digits, surrounding whitespace ignored).
pub fn parse_key(text: &str) -> Result<Vec<u8>, CheckpointError> {
    let key = hex::decode(text.trim()).map_err(|_| CheckpointError::BadKey)?;
    if key.len() == KEY_BYTES {
        Ok(key)
    } else {
        Err(CheckpointError::BadKey)
    }
}

fn mac_of(key: &[u8], seq: i64, hash: &str, at: &str) -> Result<Hmac<Sha256>, CheckpointError> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| CheckpointError::BadKey)?;
    // Length-prefixed fields, as the chain hash does, so no two checkpoints share an input.
    for field in [DOMAIN, seq.to_string().as_str(), hash, at] {
        mac.update(&(field.len() as u64).to_be_bytes());
        mac.update(field.as_bytes());
    }
    Ok(mac)
}

impl Checkpoint {
    /// A sealed checkpoint of the head (`seq`, `hash`) taken at `at`.
    pub fn seal(key: &[u8], seq: i64, hash: &str, at: &str) -> Result<Checkpoint, CheckpointError> {
        let mac = mac_of(key, seq, hash, at)?;
        Ok(Checkpoint {
            seq,
            hash: hash.to_owned(),
            at: at.to_owned(),
            mac: hex::encode(mac.finalize().into_bytes()),
        })
    }

    /// The line written to the checkpoint file (without the newline).
    pub fn to_line(&self) -> String {
        format!("{}\t{}\t{}\t{}", self.seq, self.hash, self.at, self.mac)
    }

    /// Reads line `line` (from 1) of a checkpoint file and checks its MAC under `key`.
    pub fn parse_line(key: &[u8], line: usize, text: &str) -> Result<Checkpoint, CheckpointError> {
        let fields: Vec<&str> = text.trim_end_matches(['\r', '\n']).split('\t').collect();
        let [seq, hash, at, mac] = fields.as_slice() else {
            return Err(CheckpointError::Malformed { line });
        };
        let seq: i64 = seq
            .parse()
            .ok()
            .filter(|s| *s >= 0)
            .ok_or(CheckpointError::Malformed { line })?;
        let mac_bytes = hex::decode(mac).map_err(|_| CheckpointError::Malformed { line })?;
        mac_of(key, seq, hash, at)?
            .verify_slice(&mac_bytes)
            .map_err(|_| CheckpointError::BadMac { line, seq })?;
        Ok(Checkpoint {
            seq,
            hash: (*hash).to_owned(),
            at: (*at).to_owned(),
            mac: (*mac).to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; KEY_BYTES] = [7; KEY_BYTES];

    #[test]
    fn a_sealed_checkpoint_reads_back() -> Result<(), CheckpointError> {
        let checkpoint = Checkpoint::seal(&KEY, 42, "ab12", "2025-01-02T03:04:05Z")?;
        let read = Checkpoint::parse_line(&KEY, 1, &checkpoint.to_line())?;
        assert_eq!(read, checkpoint);
        Ok(())
    }

    #[test]
    fn any_changed_field_or_another_key_fails_the_mac() -> Result<(), CheckpointError> {
        let line = Checkpoint::seal(&KEY, 42, "ab12", "2025-01-02T03:04:05Z")?.to_line();
        for (forged, seq) in [
            (line.replacen("42", "41", 1), 41),
            (line.replacen("ab12", "ab13", 1), 42),
            (line.replacen("03:04:05", "03:04:06", 1), 42),
        ] {
            assert_eq!(
                Checkpoint::parse_line(&KEY, 3, &forged),
                Err(CheckpointError::BadMac { line: 3, seq })
            );
        }
        assert!(matches!(
            Checkpoint::parse_line(&[8; KEY_BYTES], 1, &line),
            Err(CheckpointError::BadMac { .. })
        ));
        Ok(())
    }

    #[test]
    fn malformed_lines_and_keys_are_named() {
        assert_eq!(
            Checkpoint::parse_line(&KEY, 2, "1\tab"),
            Err(CheckpointError::Malformed { line: 2 })
        );
        assert_eq!(
            Checkpoint::parse_line(&KEY, 2, "-1\tab\tat\t00"),
            Err(CheckpointError::Malformed { line: 2 })
        );
        assert_eq!(parse_key("abc"), Err(CheckpointError::BadKey));
        assert_eq!(
            parse_key(&format!("{}\n", "0f".repeat(32))).map(|k| k.len()),
            Ok(32)
        );
    }
}
