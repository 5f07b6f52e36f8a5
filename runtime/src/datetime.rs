//! `datetime`: kept as its wire text, converted to and from [`SystemTime`] on request.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A vAPI `datetime` (ISO 8601 in UTC on the wire), kept exactly as received so that it is
/// written back byte for byte; a JSON string on the wire. The text is not checked when it is
/// read: [`to_system_time`](Self::to_system_time) interprets it on request.
///
/// Comparison, ordering and hashing are those of the text, not of the instant.
///
/// ```
/// use vapi_runtime::DateTime;
///
/// let t: DateTime = vapi_runtime::serde_json::from_str("\"2024-05-01T12:34:56.789Z\"")?;
/// assert_eq!(t.as_str(), "2024-05-01T12:34:56.789Z");
/// let back = DateTime::from_system_time(t.to_system_time().unwrap_or(std::time::UNIX_EPOCH));
/// assert_eq!(back, t);
/// # Ok::<(), vapi_runtime::serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateTime(String);

impl DateTime {
    /// The wire text, exactly as received or written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, if the text is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, optionally
    /// `.` and one or more fraction digits (nanoseconds are kept, further digits are dropped),
    /// then `Z` or an offset `+hh:mm` / `-hh:mm` (a lowercase `t` or `z`, or a space for the
    /// `T`, are accepted too; a leap second `:60` reads as the start of the next minute).
    /// `None` for anything else, such as an impossible date, a missing zone, or an instant
    /// `SystemTime` cannot hold.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use vapi_runtime::DateTime;
    ///
    /// let t = DateTime::from("1970-01-02T01:00:00+01:00".to_owned());
    /// assert_eq!(t.to_system_time(), Some(UNIX_EPOCH + Duration::from_secs(86_400)));
    /// assert_eq!(DateTime::from("yesterday".to_owned()).to_system_time(), None);
    /// ```
    pub fn to_system_time(&self) -> Option<SystemTime> {
        parse(&self.0)
    }

    /// Writes an instant as vAPI does, in UTC with milliseconds: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    /// Finer digits are dropped (the instant is rounded down to the millisecond). Instants
    /// outside the years 0000 to 9999 give text that [`to_system_time`](Self::to_system_time)
    /// does not read back.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use vapi_runtime::DateTime;
    ///
    /// let t = DateTime::from_system_time(UNIX_EPOCH + Duration::from_millis(1_714_566_896_789));
    /// assert_eq!(t.as_str(), "2024-05-01T12:34:56.789Z");
    /// ```
    pub fn from_system_time(t: SystemTime) -> Self {
        // Seconds since the epoch, rounded down, and the nanoseconds after them.
        let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
            Ok(after) => (
                i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                after.subsec_nanos(),
            ),
            Err(before) => {
                let before = before.duration();
                let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                match before.subsec_nanos() {
                    0 => (-secs, 0),
                    n => (-secs - 1, 1_000_000_000 - n),
                }
            }
        };
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        DateTime(format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            nanos / 1_000_000
        ))
    }
}

impl From<String> for DateTime {
    fn from(text: String) -> Self {
        DateTime(text)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |n, &c| {
        n.checked_mul(10)?.checked_add(u32::from(c - b'0'))
    })
}

fn parse(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = i64::from(digits(&b[0..4])?);
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let max_day = *month_days.get(usize::try_from(month).ok()?.checked_sub(1)?)?;
    if day == 0 || day > max_day || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let kept = &frac[..n.min(9)];
        nanos = digits(kept)? * 10u32.pow(u32::try_from(9 - kept.len()).ok()?);
        rest = &frac[n..];
    }
    let offset_secs: i64 = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = i64::from(digits(&[*h1, *h2])?);
            let m = i64::from(digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let s = (h * 60 + m) * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days
        .checked_mul(86_400)?
        .checked_add(i64::from(hour * 3600 + minute * 60 + second))?
        .checked_sub(offset_secs)?;
    let whole = match u64::try_from(secs) {
        Ok(after) => UNIX_EPOCH.checked_add(Duration::from_secs(after))?,
        Err(_) => UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))?,
    };
    whole.checked_add(Duration::from_nanos(u64::from(nanos)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seconds and nanoseconds since the epoch, negative before it.
    fn since_epoch(text: &str) -> Option<(i64, u32)> {
        let t = parse(text)?;
        Some(match t.duration_since(UNIX_EPOCH) {
            Ok(d) => (i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()),
            Err(e) => (
                -i64::try_from(e.duration().as_secs()).ok()?,
                e.duration().subsec_nanos(),
            ),
        })
    }

    fn secs(text: &str) -> Option<i64> {
        since_epoch(text).map(|(s, _)| s)
    }

    #[test]
    fn parses_rfc_3339_forms() {
        assert_eq!(secs("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(secs("1970-01-01t00:00:00z"), Some(0));
        assert_eq!(secs("2000-03-01T00:00:00.5Z"), Some(951_868_800));
        assert_eq!(secs("2000-03-01T02:00:00+02:00"), Some(951_868_800));
        assert_eq!(secs("2000-02-29T22:00:00-02:00"), Some(951_868_800));
        assert_eq!(secs("2024-02-29T23:59:59.123456789Z"), Some(1_709_251_199));
        assert_eq!(secs("2024-01-01T00:30:00+01:00"), Some(1_704_065_400));
        assert_eq!(secs("2038-01-19T03:14:08Z"), Some(1 << 31));
    }

    #[test]
    fn keeps_fractions_to_the_nanosecond() {
        assert_eq!(
            since_epoch("1970-01-01T00:00:01.5Z"),
            Some((1, 500_000_000))
        );
        assert_eq!(since_epoch("1970-01-01T00:00:01.000000001Z"), Some((1, 1)));
        assert_eq!(
            since_epoch("1970-01-01T00:00:01.1234567899999Z"),
            Some((1, 123_456_789)),
            "digits past nanoseconds are dropped"
        );
    }

    #[test]
    fn reads_instants_before_1970() {
        assert_eq!(secs("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(secs("1900-01-01T00:00:00Z"), Some(-2_208_988_800));
        assert_eq!(
            secs("0000-01-01T00:00:00Z"),
            Some(-62_167_219_200),
            "year 0 is the proleptic Gregorian 1 BC"
        );
    }

    #[test]
    fn rejects_malformed_text_without_panicking() {
        for bad in [
            "",
            "2024-05-01",
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-00-01T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-00T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:61Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00.5",
            "2024-01-01T00:00:00ZZ",
            "2024-01-01T00:00:00+25:00",
            "2024-01-01T00:00:00+01:60",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00+01",
            "2024-01-01X00:00:00Z",
            "2024/01/01T00:00:00Z",
            "+2024-01-01T00:00:00Z",
            "20240-01-01T00:00:00Z",
            "2024-1-01T00:00:00Z",
            "2024-01-01T0:00:00Z",
            "-024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.1a2Z",
            "９９９９-01-01T00:00:00Z",
            "2024-01-01T00:00:00Zé",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn survives_every_truncation_and_byte_substitution() {
        let good = "2024-05-01T12:34:56.789123+05:30";
        assert!(parse(good).is_some());
        for end in 0..good.len() {
            assert_eq!(parse(&good[..end]), None, "{}", &good[..end]);
        }
        for i in 0..good.len() {
            for c in ['0', '9', 'T', 'Z', ':', '-', '+', '.', ' ', 'é'] {
                let mut text = good.to_owned();
                text.replace_range(i..=i, c.encode_utf8(&mut [0; 4]));
                let _ = parse(&text);
            }
        }
    }

    #[test]
    fn writes_what_it_reads() {
        for text in [
            "2024-05-01T12:34:56.789Z",
            "1999-12-31T23:59:59.000Z",
            "1970-01-01T00:00:00.000Z",
            "1969-12-31T23:59:59.500Z",
            "1600-02-29T12:00:00.001Z",
            "9999-12-31T23:59:59.999Z",
        ] {
            let t = parse(text).map(DateTime::from_system_time);
            assert_eq!(t.as_ref().map(DateTime::as_str), Some(text));
        }
    }

    #[test]
    fn writes_utc_and_rounds_down_to_milliseconds() {
        let write = |text: &str| parse(text).map(DateTime::from_system_time);
        assert_eq!(
            write("2024-05-01T14:34:56.789999+02:00")
                .as_ref()
                .map(DateTime::as_str),
            Some("2024-05-01T12:34:56.789Z")
        );
        assert_eq!(
            write("1969-12-31T23:59:59.9999Z")
                .as_ref()
                .map(DateTime::as_str),
            Some("1969-12-31T23:59:59.999Z")
        );
    }

    #[test]
    fn writes_extreme_instants_without_panicking() {
        for secs in [1u64 << 40, 1 << 50, 1 << 62, i64::MAX as u64, u64::MAX] {
            let d = Duration::from_secs(secs);
            for t in [UNIX_EPOCH.checked_add(d), UNIX_EPOCH.checked_sub(d)]
                .into_iter()
                .flatten()
            {
                let text = DateTime::from_system_time(t);
                assert!(text.as_str().ends_with('Z'), "{text}");
            }
        }
    }

    #[test]
    fn civil_and_days_agree() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn is_its_wire_text() {
        for text in [
            "2024-05-01T12:34:56+02:00",
            "2024-05-01T12:34:56.7Z",
            "not a time",
        ] {
            let json = format!("\"{text}\"");
            let t: DateTime = serde_json::from_str(&json).unwrap();
            assert_eq!(t.as_str(), text);
            assert_eq!(t.to_string(), text);
            assert_eq!(serde_json::to_string(&t).unwrap(), json);
            assert_eq!(t, DateTime::from(text.to_owned()));
        }
        assert!(serde_json::from_str::<DateTime>("17").is_err());
    }
}
