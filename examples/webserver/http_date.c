/*
 * HTTP dates (http_date.h). The server writes only IMF-fixdate, but RFC 9110
 * section 5.6.7 asks a recipient to read the two obsolete forms too:
 *
 *   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
 *   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
 *   asctime      Sun Nov  6 08:49:37 1994
 *
 * Day counts use the proleptic Gregorian calendar from 1970-01-01, which
 * was a Thursday.
 */
#include <string.h>
#include "http_date.h"

#define SECONDS_PER_DAY 86400LL
#define EPOCH_YEAR 1970
#define EPOCH_WEEKDAY 4		/* 1970-01-01 was a Thursday; 0 is Sunday */
#define YEAR_MIN 1900		/* older dates in a request are garbage */
#define YEAR_MAX 9999		/* four digits, as every format has */

static const char *const day_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const long_day_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
/* days before each month in a common year */
static const int days_before_month[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
};

static bool is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* leap years in 1..year */
static long long leaps_through(int year)
{
	return year / 4 - year / 100 + year / 400;
}

/* days from 1970-01-01 to year-month-day (month 1..12) */
static long long days_from_date(int year, int month, int day)
{
	long long days = 365LL * (year - EPOCH_YEAR) +
			 leaps_through(year - 1) - leaps_through(EPOCH_YEAR - 1);

	days += days_before_month[month - 1] + day - 1;
	if (month > 2 && is_leap(year))
		days++;
	return days;
}

static int days_in_month(int year, int month)
{
	static const int lengths[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return lengths[month - 1] + (month == 2 && is_leap(year));
}

/* writes n as exactly `width` digits */
static char *put_digits(char *p, long long n, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = '0' + n % 10;
		n /= 10;
	}
	return p + width;
}

void http_date_format(long long t, char *buf)
{
	long long days = t / SECONDS_PER_DAY;
	long long secs = t % SECONDS_PER_DAY;
	int year = EPOCH_YEAR, month = 1;
	char *p = buf;

	if (secs < 0) {		/* before 1970: floor, not truncate */
		secs += SECONDS_PER_DAY;
		days--;
	}
	int weekday = (int)(((days + EPOCH_WEEKDAY) % 7 + 7) % 7);

	/* a file's date is a few decades from 1970: a loop is fast enough */
	while (days < 0)
		days += 365 + is_leap(--year);
	while (days >= 365 + is_leap(year))
		days -= 365 + is_leap(year++);
	while (days >= days_in_month(year, month))
		days -= days_in_month(year, month++);

	memcpy(p, day_names[weekday], 3);
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	p = put_digits(p, days + 1, 2);
	*p++ = ' ';
	memcpy(p, month_names[month - 1], 3);
	p += 3;
	*p++ = ' ';
	p = put_digits(p, year, 4);
	*p++ = ' ';
	p = put_digits(p, secs / 3600, 2);
	*p++ = ':';
	p = put_digits(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, secs % 60, 2);
	memcpy(p, " GMT", 5);	/* with its NUL */
}

/* A cursor over the text being parsed; every reader advances it only on
 * success. */
struct date_cursor {
	const char *p;
};

static bool take(struct date_cursor *c, const char *literal)
{
	size_t n = strlen(literal);

	if (strncmp(c->p, literal, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool take_digits(struct date_cursor *c, int width, int *value)
{
	int v = 0;

	for (int i = 0; i < width; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return false;
		v = v * 10 + (c->p[i] - '0');
	}
	c->p += width;
	*value = v;
	return true;
}

/* one of names[0..count-1]; its index in *index */
static bool take_name(struct date_cursor *c, const char *const *names,
		      int count, int *index)
{
	for (int i = 0; i < count; i++) {
		if (take(c, names[i])) {
			*index = i;
			return true;
		}
	}
	return false;
}

/* "08:49:37" */
static bool take_time(struct date_cursor *c, int *h, int *m, int *s)
{
	return take_digits(c, 2, h) && take(c, ":") &&
	       take_digits(c, 2, m) && take(c, ":") && take_digits(c, 2, s);
}

/* "06 Nov 1994 08:49:37 GMT", after "Sun, " */
static bool parse_fixdate(struct date_cursor *c, int f[6])
{
	return take_digits(c, 2, &f[2]) && take(c, " ") &&
	       take_name(c, month_names, 12, &f[1]) && take(c, " ") &&
	       take_digits(c, 4, &f[0]) && take(c, " ") &&
	       take_time(c, &f[3], &f[4], &f[5]) && take(c, " GMT");
}

/* "06-Nov-94 08:49:37 GMT", after "Sunday, " */
static bool parse_rfc850(struct date_cursor *c, int f[6])
{
	if (!(take_digits(c, 2, &f[2]) && take(c, "-") &&
	      take_name(c, month_names, 12, &f[1]) && take(c, "-") &&
	      take_digits(c, 2, &f[0]) && take(c, " ") &&
	      take_time(c, &f[3], &f[4], &f[5]) && take(c, " GMT")))
		return false;
	/* two-digit years: RFC 9110 wants the most recent past year with
	 * those digits; without a clock, 70..99 are 19xx and the rest 20xx */
	f[0] += f[0] >= 70 ? 1900 : 2000;
	return true;
}

/* "Nov  6 08:49:37 1994", after "Sun " */
static bool parse_asctime(struct date_cursor *c, int f[6])
{
	if (!(take_name(c, month_names, 12, &f[1]) && take(c, " ")))
		return false;
	if (!(take(c, " ") && take_digits(c, 1, &f[2])) &&
	    !take_digits(c, 2, &f[2]))
		return false;
	return take(c, " ") && take_time(c, &f[3], &f[4], &f[5]) &&
	       take(c, " ") && take_digits(c, 4, &f[0]);
}

bool http_date_parse(const char *text, long long *t)
{
	struct date_cursor c = { text };
	int f[6];		/* year, month (0..11), day, hour, minute, second */
	int weekday;
	bool ok;

	if (take_name(&c, long_day_names, 7, &weekday))
		ok = take(&c, ", ") && parse_rfc850(&c, f);
	else if (take_name(&c, day_names, 7, &weekday))
		ok = take(&c, ", ") ? parse_fixdate(&c, f) :
		     take(&c, " ") && parse_asctime(&c, f);
	else
		ok = false;
	if (!ok || *c.p != '\0')
		return false;

	int year = f[0], month = f[1] + 1, day = f[2];

	if (year < YEAR_MIN || year > YEAR_MAX || day < 1 ||
	    day > days_in_month(year, month) || f[3] > 23 || f[4] > 59 ||
	    f[5] > 60)		/* 60: a leap second */
		return false;
	*t = days_from_date(year, month, day) * SECONDS_PER_DAY +
	     f[3] * 3600LL + f[4] * 60LL + f[5];
	return true;
}
