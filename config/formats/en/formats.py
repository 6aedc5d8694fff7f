"""Formats for every page a person reads (the admin, PDFs): one date format, Indian digit grouping.
English locales fall back here (en-in has no locale of its own in Django). The API is unaffected:
DRF writes ISO 8601 (REST_FRAMEWORK["DATE_FORMAT"])."""

DATE_FORMAT = "d M Y"  # 05 Dec 2026
DATETIME_FORMAT = "d M Y, H:i"  # 05 Dec 2026, 14:05 (in TIME_ZONE, Asia/Kolkata)
SHORT_DATE_FORMAT = "d M Y"
SHORT_DATETIME_FORMAT = "d M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "d M"
YEAR_MONTH_FORMAT = "M Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
# 12,34,567: the last three digits, then pairs (lakh, crore).
NUMBER_GROUPING = (3, 2, 0)
