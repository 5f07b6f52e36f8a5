//! `datetime`: an instant in UTC to the millisecond, written as vCenter writes it.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

mod interop;

/// The instants a `datetime` can carry: the years 0000 to 9999 in UTC, as milliseconds
/// since the Unix epoch.
const MIN_MILLIS: i64 = -62_167_219_200_000;
const MAX_MILLIS: i64 = 253_402_300_799_999;

/// A vAPI `datetime`: an instant in UTC with millisecond precision, between the years 0000 and
/// 9999.
///
/// On the wire it is written as vCenter writes it, `YYYY-MM-DDThh:mm:ss.sssZ`, with exactly
/// three fraction digits. It is read from any RFC 3339 date-time: any number of fraction digits
/// or none (digits past the millisecond are dropped, never rounded), `Z` or an offset
/// `+hh:mm`/`-hh:mm` (converted to UTC). Anything else is refused with an error that quotes
/// it: no zone, a lowercase `t` or `z`, a space for the `T`, a bare date, a number.
///
/// ```
/// use vapi_runtime::DateTime;
///
/// let t: DateTime = "2024-05-01T14:34:56.789999+02:00".parse()?;
/// assert_eq!(t.to_string(), "2024-05-01T12:34:56.789Z");
/// assert_eq!(t.unix_millis(), 1_714_566_896_789);
/// assert!("2024-05-01 12:34:56Z".parse::<DateTime>().is_err());
/// # Ok::<(), vapi_runtime::DateTimeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    millis: i64,
}

impl DateTime {
    /// The earliest instant a `datetime` can carry, `0000-01-01T00:00:00.000Z`.
    pub const MIN: DateTime = DateTime { millis: MIN_MILLIS };
    /// The latest instant a `datetime` can carry, `9999-12-31T23:59:59.999Z`.
    pub const MAX: DateTime = DateTime { millis: MAX_MILLIS };

    /// The instant that many milliseconds after (or, negative, before) 1970-01-01T00:00:00Z;
    /// `None` outside the years 0000 to 9999.
    ///
    /// ```
    /// use vapi_runtime::DateTime;
    ///
    /// let t = DateTime::from_unix_millis(1_714_566_896_789).unwrap();
    /// assert_eq!(t.to_string(), "2024-05-01T12:34:56.789Z");
    /// assert!(DateTime::from_unix_millis(i64::MAX).is_none());
    /// ```
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        (MIN_MILLIS..=MAX_MILLIS)
            .contains(&millis)
            .then_some(DateTime { millis })
    }

    /// Milliseconds since 1970-01-01T00:00:00Z, negative before it.
    pub fn unix_millis(&self) -> i64 {
        self.millis
    }

    /// The current time, rounded down to the millisecond.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now()).unwrap_or(Self::MAX)
    }

    /// The instant of a [`SystemTime`], rounded down to the millisecond; `None` outside the
    /// years 0000 to 9999.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use vapi_runtime::DateTime;
    ///
    /// let t = DateTime::from_system_time(UNIX_EPOCH + Duration::from_nanos(1_500_999_999));
    /// assert_eq!(t.map(|t| t.to_string()).as_deref(), Some("1970-01-01T00:00:01.500Z"));
    /// ```
    pub fn from_system_time(t: SystemTime) -> Option<Self> {
        let millis = match t.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).ok()?,
            Err(before) => {
                let before = before.duration();
                // Round towards the past: 1 ns before the epoch is in the millisecond -1.
                let whole = i64::try_from(before.as_millis()).ok()?;
                if before.subsec_nanos() % 1_000_000 == 0 {
                    -whole
                } else {
                    -whole - 1
                }
            }
        };
        Self::from_unix_millis(millis)
    }

    /// The instant as a [`SystemTime`].
    pub fn to_system_time(&self) -> SystemTime {
        let d = Duration::from_millis(self.millis.unsigned_abs());
        // Every instant of the years 0000 to 9999 fits a SystemTime on the platforms Rust
        // supports; the epoch stands in should one ever not.
        if self.millis >= 0 {
            UNIX_EPOCH.checked_add(d)
        } else {
            UNIX_EPOCH.checked_sub(d)
        }
        .unwrap_or(UNIX_EPOCH)
    }
}

/// Why a text is not a vAPI `datetime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError {
    text: String,
    reason: &'static str,
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid datetime {:?}: {}; expected RFC 3339 such as 2024-05-01T12:34:56.789Z",
            self.text, self.reason
        )
    }
}

impl std::error::Error for DateTimeError {}

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text).map_err(|reason| DateTimeError {
            // A hostile value may be huge; the message quotes enough of it to recognise.
            text: text.chars().take(64).collect(),
            reason,
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.millis.div_euclid(1000);
        let millis = self.millis.rem_euclid(1000);
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 datetime string such as \"2024-05-01T12:34:56.789Z\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<DateTime, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
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

fn two(b: &[u8], at: usize) -> Result<u32, &'static str> {
    b.get(at..at + 2)
        .and_then(digits)
        .ok_or("expected two digits")
}

fn parse(text: &str) -> Result<DateTime, &'static str> {
    let b = text.as_bytes();
    if b.len() < 19 {
        return Err(if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            "a date without a time"
        } else {
            "too short"
        });
    }
    if b[4] != b'-' || b[7] != b'-' {
        return Err("the date is not YYYY-MM-DD");
    }
    match b[10] {
        b'T' => {}
        b't' => return Err("the separator must be an uppercase `T`"),
        b' ' => return Err("the separator must be `T`, not a space"),
        _ => return Err("the date and time must be separated by `T`"),
    }
    if b[13] != b':' || b[16] != b':' {
        return Err("the time is not hh:mm:ss");
    }
    let year = i64::from(
        b.get(0..4)
            .and_then(digits)
            .ok_or("the year is not four digits")?,
    );
    let month = two(b, 5)?;
    let day = two(b, 8)?;
    let hour = two(b, 11)?;
    let minute = two(b, 14)?;
    let second = two(b, 17)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let max_day = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err("no such month"),
    };
    if day == 0 || day > max_day {
        return Err("no such day in that month");
    }
    // RFC 3339 allows a leap second, `:60`; it reads as the start of the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return Err("no such time of day");
    }
    let mut rest = &b[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err("a `.` without fraction digits");
        }
        // Truncate, never round: `.123999` is `.123`.
        for (i, &c) in frac[..n.min(3)].iter().enumerate() {
            millis += i64::from(c - b'0') * [100, 10, 1][i];
        }
        rest = &frac[n..];
    }
    let offset_secs: i64 = match rest {
        b"Z" => 0,
        b"z" => return Err("the zone must be an uppercase `Z`"),
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let h = i64::from(two(rest, 1)?);
            let m = i64::from(two(rest, 4)?);
            if h > 23 || m > 59 {
                return Err("no such zone offset");
            }
            let s = (h * 60 + m) * 60;
            if *sign == b'+' { s } else { -s }
        }
        [] => return Err("no time zone (`Z` or `+hh:mm`)"),
        _ => return Err("the zone is not `Z` or `+hh:mm`/`-hh:mm`"),
    };
    let secs = days_from_civil(year, month, day) * 86_400
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset_secs;
    DateTime::from_unix_millis(secs * 1000 + millis).ok_or("outside the years 0000 to 9999 in UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> Option<i64> {
        text.parse::<DateTime>().ok().map(|t| t.unix_millis())
    }

    #[test]
    fn reads_every_rfc_3339_form() {
        assert_eq!(millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(millis("2000-03-01T00:00:00.5Z"), Some(951_868_800_500));
        assert_eq!(millis("2000-03-01T02:00:00+02:00"), Some(951_868_800_000));
        assert_eq!(millis("2000-02-29T22:00:00-02:00"), Some(951_868_800_000));
        assert_eq!(millis("2024-01-01T00:30:00+01:00"), Some(1_704_065_400_000));
        assert_eq!(millis("2038-01-19T03:14:08Z"), Some((1 << 31) * 1000));
        assert_eq!(millis("1969-12-31T23:59:59Z"), Some(-1000));
        assert_eq!(millis("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(millis("0000-01-01T00:00:00Z"), Some(MIN_MILLIS));
        assert_eq!(millis("9999-12-31T23:59:59.999Z"), Some(MAX_MILLIS));
        assert_eq!(
            millis("2016-12-31T23:59:60Z"),
            millis("2017-01-01T00:00:00Z"),
            "a leap second is the next minute's start"
        );
    }

    #[test]
    fn truncates_fractions_to_the_millisecond() {
        for (text, expected) in [
            ("2024-05-01T12:34:45Z", "2024-05-01T12:34:45.000Z"),
            ("2024-05-01T12:34:45.1Z", "2024-05-01T12:34:45.100Z"),
            ("2024-05-01T12:34:45.12Z", "2024-05-01T12:34:45.120Z"),
            ("2024-05-01T12:34:45.123Z", "2024-05-01T12:34:45.123Z"),
            ("2024-05-01T12:34:45.123999Z", "2024-05-01T12:34:45.123Z"),
            (
                "2024-05-01T12:34:45.999999999999Z",
                "2024-05-01T12:34:45.999Z",
            ),
            (
                "2024-05-01T14:34:45.123999+02:00",
                "2024-05-01T12:34:45.123Z",
            ),
            ("2024-05-01T00:04:45.5-12:30", "2024-05-01T12:34:45.500Z"),
            ("1969-12-31T23:59:59.9999Z", "1969-12-31T23:59:59.999Z"),
        ] {
            let t: DateTime = text.parse().unwrap();
            assert_eq!(t.to_string(), expected, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_rfc_3339() {
        for (bad, why) in [
            ("", "too short"),
            ("2024-05-01", "a date without a time"),
            ("2024-05-01T12:34:56", "no time zone"),
            ("2024-05-01T12:34:56.789", "no time zone"),
            ("2024-05-01T12:34:56z", "uppercase `Z`"),
            ("2024-05-01t12:34:56Z", "uppercase `T`"),
            ("2024-05-01 12:34:56Z", "not a space"),
            ("1714566896", "too short"),
            ("2024-02-30T00:00:00Z", "no such day"),
            ("2023-02-29T00:00:00Z", "no such day"),
            ("1900-02-29T00:00:00Z", "no such day"),
            ("2024-13-01T00:00:00Z", "no such month"),
            ("2024-01-01T24:00:00Z", "no such time"),
            ("2024-01-01T00:00:61Z", "no such time"),
            ("2024-01-01T00:00:00.Z", "without fraction digits"),
            ("2024-01-01T00:00:00ZZ", "the zone is not"),
            ("2024-01-01T00:00:00+25:00", "no such zone offset"),
            ("2024-01-01T00:00:00+0100", "the zone is not"),
            ("2024/01/01T00:00:00Z", "YYYY-MM-DD"),
            ("+2024-01-01T00:00:00Z", "YYYY-MM-DD"),
            ("2024-1-01T00:00:00Z", "YYYY-MM-DD"),
            ("2024-01-01T00:00:00.1a2Z", "the zone is not"),
            ("０９９９-01-01T00:00:00Z", "YYYY-MM-DD"),
            ("0000-01-01T00:00:00+00:01", "outside the years"),
            ("9999-12-31T23:59:59-00:01", "outside the years"),
        ] {
            let err = bad.parse::<DateTime>().unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(err.starts_with("invalid datetime"), "{err}");
        }
    }

    #[test]
    fn survives_every_truncation_and_byte_substitution() {
        let good = "2024-05-01T12:34:56.789123+05:30";
        assert!(good.parse::<DateTime>().is_ok());
        for end in 0..good.len() {
            assert!(good[..end].parse::<DateTime>().is_err(), "{}", &good[..end]);
        }
        for i in 0..good.len() {
            for c in ['0', '9', 'T', 'Z', ':', '-', '+', '.', ' ', 'é'] {
                let mut text = good.to_owned();
                text.replace_range(i..=i, c.encode_utf8(&mut [0; 4]));
                let _ = text.parse::<DateTime>();
            }
        }
    }

    #[test]
    fn system_time_round_trips_to_the_millisecond() {
        let t = UNIX_EPOCH + Duration::from_millis(1_714_566_896_789);
        let d = DateTime::from_system_time(t).unwrap();
        assert_eq!(d.to_system_time(), t);
        let before = UNIX_EPOCH - Duration::from_nanos(1);
        assert_eq!(
            DateTime::from_system_time(before).unwrap().unix_millis(),
            -1
        );
        assert_eq!(
            DateTime::from_system_time(UNIX_EPOCH - Duration::from_millis(5))
                .unwrap()
                .unix_millis(),
            -5
        );
        assert!(DateTime::from_system_time(UNIX_EPOCH + Duration::from_secs(1 << 40)).is_none());
        assert!(DateTime::now() > DateTime::from_unix_millis(0).unwrap());
    }

    #[test]
    fn writes_the_extremes() {
        assert_eq!(DateTime::MIN.to_string(), "0000-01-01T00:00:00.000Z");
        assert_eq!(DateTime::MAX.to_string(), "9999-12-31T23:59:59.999Z");
        assert!(DateTime::from_unix_millis(MIN_MILLIS - 1).is_none());
        assert!(DateTime::from_unix_millis(MAX_MILLIS + 1).is_none());
    }

    #[test]
    fn civil_and_days_agree() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn is_a_json_string() {
        let t: DateTime = serde_json::from_str("\"2024-05-01T12:34:56+02:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2024-05-01T10:34:56.000Z\""
        );
        for bad in ["17", "null", "\"2024-05-01\"", "{}"] {
            assert!(serde_json::from_str::<DateTime>(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<DateTime>("\"2024-05-01 10:00:00Z\"").unwrap_err();
        assert!(err.to_string().contains("not a space"), "{err}");
    }
}
