//! Conversions between [`DateTime`] and the date-time types of `jiff`, `chrono` and `time`,
//! each behind the feature of the same name.
//!
//! Into `chrono` and `time` a `DateTime` always converts (`From`): they cover the years 0000 to
//! 9999; into `jiff` it converts (`TryFrom`) but for the last 26 hours of 9999, which
//! `jiff::Timestamp` leaves out. Back, a value converts (`TryFrom`) when it lies in those years; digits past the millisecond
//! are dropped towards the past, as [`DateTime::from_system_time`] does, so that a conversion
//! never moves an instant into the next millisecond.

// Each conversion needs only some of the helpers, depending on the features.
#![allow(dead_code)]

use super::{DateTime, DateTimeError};

const OUT_OF_RANGE: &str = "outside the years 0000 to 9999 that a vAPI datetime can carry";

/// The instant `nanos` nanoseconds after the Unix epoch, rounded down to the millisecond.
fn from_unix_nanos(nanos: i128, shown: impl std::fmt::Display) -> Result<DateTime, DateTimeError> {
    i64::try_from(nanos.div_euclid(1_000_000))
        .ok()
        .and_then(DateTime::from_unix_millis)
        .ok_or_else(|| DateTimeError {
            text: shown.to_string().chars().take(64).collect(),
            reason: OUT_OF_RANGE,
        })
}

fn unix_nanos(t: DateTime) -> i128 {
    i128::from(t.unix_millis()) * 1_000_000
}

#[cfg(feature = "jiff")]
mod jiff_conversions {
    use super::*;

    /// Fails only for the last 26 hours of 9999: a `jiff::Timestamp` ends at
    /// 9999-12-30T22:00:00Z, so that it has a civil date-time at every UTC offset.
    ///
    /// ```
    /// use vapi_runtime::DateTime;
    ///
    /// let t: DateTime = "2024-05-01T12:34:56.789Z".parse()?;
    /// let ts = jiff::Timestamp::try_from(t)?;
    /// assert_eq!(ts.to_string(), "2024-05-01T12:34:56.789Z");
    /// assert_eq!(DateTime::try_from(ts)?, t);
    /// assert!(jiff::Timestamp::try_from(DateTime::MAX).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    impl TryFrom<DateTime> for jiff::Timestamp {
        type Error = jiff::Error;

        fn try_from(t: DateTime) -> Result<Self, Self::Error> {
            jiff::Timestamp::from_millisecond(t.unix_millis())
        }
    }

    /// Rounded down to the millisecond; an error outside the years 0000 to 9999.
    impl TryFrom<jiff::Timestamp> for DateTime {
        type Error = DateTimeError;

        fn try_from(t: jiff::Timestamp) -> Result<Self, Self::Error> {
            from_unix_nanos(t.as_nanosecond(), t)
        }
    }

    /// The instant of a zoned date-time; as from its [`jiff::Timestamp`].
    impl TryFrom<&jiff::Zoned> for DateTime {
        type Error = DateTimeError;

        fn try_from(t: &jiff::Zoned) -> Result<Self, Self::Error> {
            DateTime::try_from(t.timestamp())
        }
    }
}

#[cfg(feature = "chrono")]
mod chrono_conversions {
    use super::*;

    /// ```
    /// use vapi_runtime::DateTime;
    ///
    /// let t: DateTime = "2024-05-01T12:34:56.789Z".parse()?;
    /// let c = chrono::DateTime::<chrono::Utc>::from(t);
    /// assert_eq!(c.to_rfc3339(), "2024-05-01T12:34:56.789+00:00");
    /// assert_eq!(DateTime::try_from(c)?, t);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    impl From<DateTime> for chrono::DateTime<chrono::Utc> {
        fn from(t: DateTime) -> Self {
            // chrono covers about 262 000 years each side, so the fallback is never taken.
            chrono::DateTime::from_timestamp_millis(t.unix_millis()).unwrap_or_default()
        }
    }

    /// In any time zone, converted to UTC; rounded down to the millisecond (a leap second to
    /// the last millisecond before it); an error outside the years 0000 to 9999.
    impl<Tz: chrono::TimeZone> TryFrom<chrono::DateTime<Tz>> for DateTime {
        type Error = DateTimeError;

        fn try_from(t: chrono::DateTime<Tz>) -> Result<Self, Self::Error> {
            // chrono writes a leap second as nanoseconds past 999 999 999.
            let nanos = t.timestamp_subsec_nanos().min(999_999_999);
            let total = i128::from(t.timestamp()) * 1_000_000_000 + i128::from(nanos);
            from_unix_nanos(total, t.to_utc().to_rfc3339())
        }
    }
}

#[cfg(feature = "time")]
mod time_conversions {
    use super::*;

    /// ```
    /// use vapi_runtime::DateTime;
    ///
    /// let t: DateTime = "2024-05-01T12:34:56.789Z".parse()?;
    /// let o = time::OffsetDateTime::from(t);
    /// assert_eq!(o.unix_timestamp(), 1_714_566_896);
    /// assert_eq!(o.millisecond(), 789);
    /// assert_eq!(DateTime::try_from(o)?, t);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    impl From<DateTime> for time::OffsetDateTime {
        fn from(t: DateTime) -> Self {
            // time covers the years -9999 to 9999, so the fallback is never taken.
            time::OffsetDateTime::from_unix_timestamp_nanos(unix_nanos(t))
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        }
    }

    /// At any offset, converted to UTC; rounded down to the millisecond; an error outside the
    /// years 0000 to 9999.
    impl TryFrom<time::OffsetDateTime> for DateTime {
        type Error = DateTimeError;

        fn try_from(t: time::OffsetDateTime) -> Result<Self, Self::Error> {
            from_unix_nanos(t.unix_timestamp_nanos(), t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Instants that test the edges: the range ends, the epoch and the milliseconds around
    /// it, a leap day, and ordinary values.
    fn samples() -> Vec<DateTime> {
        [
            DateTime::MIN.unix_millis(),
            DateTime::MIN.unix_millis() + 1,
            -86_400_001,
            -1,
            0,
            1,
            951_782_400_000, // 2000-02-29
            1_714_566_896_789,
            DateTime::MAX.unix_millis(),
        ]
        .into_iter()
        .filter_map(DateTime::from_unix_millis)
        .collect()
    }

    #[test]
    fn nanoseconds_round_down_to_the_millisecond() {
        for (nanos, millis) in [
            (0, 0),
            (999_999, 0),
            (1_000_000, 1),
            (-1, -1),
            (-999_999, -1),
            (-1_000_000, -1),
            (-1_000_001, -2),
        ] {
            assert_eq!(
                from_unix_nanos(nanos, nanos).map(|t| t.unix_millis()),
                Ok(millis),
                "{nanos} ns"
            );
        }
        let past = unix_nanos(DateTime::MAX) + 1_000_000;
        let error = from_unix_nanos(past, "10000-01-01T00:00:00Z").unwrap_err();
        assert!(error.to_string().contains("10000-01-01"), "{error}");
        assert!(error.to_string().contains("0000 to 9999"), "{error}");
        assert!(from_unix_nanos(unix_nanos(DateTime::MIN) - 1, "").is_err());
        assert!(from_unix_nanos(i128::MAX, "").is_err());
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn jiff_round_trips_and_refuses_what_does_not_fit() {
        for t in samples() {
            let Ok(ts) = jiff::Timestamp::try_from(t) else {
                assert_eq!(t, DateTime::MAX, "only the end of 9999 does not fit");
                continue;
            };
            // (jiff's `as_millisecond` rounds towards zero, so compare nanoseconds.)
            assert_eq!(ts.as_nanosecond(), unix_nanos(t));
            assert_eq!(DateTime::try_from(ts), Ok(t));
        }
        let ts: jiff::Timestamp = "2024-05-01T12:34:56.789999999+02:00".parse().unwrap();
        assert_eq!(
            DateTime::try_from(ts).map(|t| t.to_string()).as_deref(),
            Ok("2024-05-01T10:34:56.789Z")
        );
        let before = jiff::Timestamp::from_nanosecond(-1).unwrap();
        assert_eq!(DateTime::try_from(before).map(|t| t.unix_millis()), Ok(-1));
        let zoned = ts.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(2)));
        assert_eq!(DateTime::try_from(&zoned), DateTime::try_from(ts));
        let last = jiff::Timestamp::MAX;
        assert_eq!(
            DateTime::try_from(last).map(|t| t.to_string()).as_deref(),
            Ok("9999-12-30T22:00:00.999Z")
        );
        assert!(DateTime::try_from(jiff::Timestamp::MIN).is_err());
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_round_trips_and_refuses_what_does_not_fit() {
        use chrono::{FixedOffset, TimeZone, Utc};
        for t in samples() {
            let c = chrono::DateTime::<Utc>::from(t);
            assert_eq!(c.timestamp_millis(), t.unix_millis());
            assert_eq!(DateTime::try_from(c), Ok(t));
        }
        let east = FixedOffset::east_opt(2 * 3600).unwrap();
        let c = east
            .with_ymd_and_hms(2024, 5, 1, 14, 34, 56)
            .unwrap()
            .checked_add_signed(chrono::TimeDelta::nanoseconds(789_999_999))
            .unwrap();
        assert_eq!(
            DateTime::try_from(c).map(|t| t.to_string()).as_deref(),
            Ok("2024-05-01T12:34:56.789Z")
        );
        let before = chrono::DateTime::from_timestamp(-1, 999_999_999).unwrap();
        assert_eq!(DateTime::try_from(before).map(|t| t.unix_millis()), Ok(-1));
        // A leap second reads as the last millisecond before the next second.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 1_500))
            .unwrap()
            .and_utc();
        assert_eq!(
            DateTime::try_from(leap).map(|t| t.to_string()).as_deref(),
            Ok("2016-12-31T23:59:59.999Z")
        );
        assert!(DateTime::try_from(chrono::DateTime::<Utc>::MAX_UTC).is_err());
        assert!(DateTime::try_from(chrono::DateTime::<Utc>::MIN_UTC).is_err());
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_round_trips_and_refuses_what_does_not_fit() {
        for t in samples() {
            let o = time::OffsetDateTime::from(t);
            assert_eq!(o.unix_timestamp_nanos(), unix_nanos(t));
            assert_eq!(DateTime::try_from(o), Ok(t));
        }
        let o = time::OffsetDateTime::from_unix_timestamp_nanos(1_714_566_896_789_999_999)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(-5, 0, 0).unwrap());
        assert_eq!(
            DateTime::try_from(o).map(|t| t.to_string()).as_deref(),
            Ok("2024-05-01T12:34:56.789Z")
        );
        let before = time::OffsetDateTime::from_unix_timestamp_nanos(-1).unwrap();
        assert_eq!(DateTime::try_from(before).map(|t| t.unix_millis()), Ok(-1));
        let year_minus_one = time::OffsetDateTime::UNIX_EPOCH.replace_year(-1).unwrap();
        assert!(DateTime::try_from(year_minus_one).is_err());
    }
}
