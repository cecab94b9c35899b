//! Passwords: argon2id hashes as PHC strings (m = 19,456 KiB, t = 2, p = 1, 16-byte salt,
//! OWASP's recommended minimum), the policy (13–128 characters, not in the common-password
//! list shipped in `assets/`, not one character repeated), and random initial passwords
//! for an admin to hand over.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LEN: usize = 13;
pub const MAX_LEN: usize = 128;

const COMMON: &str = include_str!("../../assets/common-passwords.txt");

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("パスワードは {MIN_LEN} 文字以上にしてください（今は {0} 文字）。")]
    TooShort(usize),
    #[error("パスワードは {MAX_LEN} 文字以内にしてください。")]
    TooLong,
    #[error("よく使われるパスワードなので使えません。推測されにくい語句を組み合わせてください。")]
    Common,
    #[error("同じ文字の繰り返しは使えません。")]
    Repeated,
    #[error("ID と同じ語を含むパスワードは使えません。")]
    ContainsId,
}

/// Checks a new password against the policy (`user_id` must not be part of it).
pub fn check_policy(password: &str, user_id: &str) -> Result<(), PolicyError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PolicyError::TooShort(n));
    }
    if n > MAX_LEN {
        return Err(PolicyError::TooLong);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(PolicyError::Repeated);
    }
    let lower = password.to_lowercase();
    if COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == lower)
    {
        return Err(PolicyError::Common);
    }
    let id = user_id.trim().to_lowercase();
    if id.chars().count() >= 4 && lower.contains(&id) {
        return Err(PolicyError::ContainsId);
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("乱数を取得できません: {0}")]
    Random(String),
    #[error("パスワードのハッシュ化に失敗しました: {0}")]
    Hash(String),
}

fn argon2id() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| HashError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), HashError> {
    getrandom::fill(buf).map_err(|e| HashError::Random(e.to_string()))
}

/// The PHC string of `password` with a fresh 16-byte salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError::Hash(e.to_string()))?;
    Ok(argon2id()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| HashError::Hash(e.to_string()))?
        .to_string())
}

/// Whether `password` matches the PHC string (false for a damaged string).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(a) = argon2id() else { return false };
    a.verify_password(password.as_bytes(), &parsed).is_ok()
}

/// A hash to verify against when the ID is unknown, so that an unknown ID takes as long as
/// a wrong password.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wl6H0T3Yq3B9yV4r0vZ2mQ3r8mZc9j1aQ0y4m9w0q2E"
}

/// A random initial password: 16 characters from an alphabet without look-alikes
/// (no 0/O, 1/l/I), grouped in fours for reading aloud.
pub fn random_initial() -> Result<String, HashError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut out = String::new();
    let mut buf = [0u8; 1];
    while out.chars().filter(|c| *c != '-').count() < 16 {
        random_bytes(&mut buf)?;
        // Rejection sampling: no bias toward the first letters.
        let limit = 256 - 256 % ALPHABET.len();
        if (buf[0] as usize) < limit {
            if !out.is_empty() && out.chars().filter(|c| *c != '-').count() % 4 == 0 {
                out.push('-');
            }
            out.push(ALPHABET[buf[0] as usize % ALPHABET.len()] as char);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_with_the_required_parameters() {
        let h = hash("とても長い合言葉 horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        // 16-byte salt: 22 base64 characters.
        let salt = h.split('$').nth(4).unwrap();
        assert_eq!(salt.len(), 22);
        assert!(verify("とても長い合言葉 horse battery", &h));
        assert!(!verify("とても長い合言葉 horse batterY", &h));
        assert!(!verify("x", "not a phc string"));
        assert!(!verify("anything at all", decoy_hash()));
        assert_ne!(
            h,
            hash("とても長い合言葉 horse battery").unwrap(),
            "fresh salt"
        );
    }

    #[test]
    fn policy() {
        assert_eq!(check_policy("short", "u"), Err(PolicyError::TooShort(5)));
        assert_eq!(
            check_policy(&"a".repeat(129), "u"),
            Err(PolicyError::TooLong)
        );
        assert_eq!(check_policy("Password12345", "u"), Err(PolicyError::Common));
        assert_eq!(
            check_policy("qwertyuiopasdf", "u"),
            Err(PolicyError::Common)
        );
        assert_eq!(
            check_policy("ああああああああああああああ", "u"),
            Err(PolicyError::Repeated)
        );
        assert_eq!(
            check_policy("tanaka-is-my-name-42", "Tanaka"),
            Err(PolicyError::ContainsId)
        );
        assert!(check_policy("若草山の鹿と 2 本の柿の木", "tanaka").is_ok());
        // Counted in characters, not bytes: 13 kanji pass.
        assert!(check_policy("奈良公園東大寺春日大社若草山", "u").is_ok());
    }

    #[test]
    fn initial_passwords_pass_the_policy() {
        for _ in 0..20 {
            let p = random_initial().unwrap();
            assert_eq!(p.len(), 19, "{p}");
            assert!(check_policy(&p, "user01").is_ok(), "{p}");
            assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
        }
    }
}
