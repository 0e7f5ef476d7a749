/* ctrl_cron_schedule.h - cron schedules ("30 2 * * 1-5", "@daily") and when
 * they next fire.
 *
 * K8S: the CronJob controller parses spec.schedule with robfig/cron v3's
 * ParseStandard (github.com/robfig/cron/v3 parser.go, spec.go). kubelab
 * follows that parser: five fields separated by white space,
 *
 *	minute (0-59)  hour (0-23)  day-of-month (1-31)  month (1-12)
 *	day-of-week (0-6, 0 = Sunday)
 *
 * each a comma-separated list of "*" (or "?"), "N", "A-B", any of those
 * with "/STEP", where "N/STEP" means "N-max/STEP"; months and weekdays may
 * be named (jan..dec, sun..sat, any case). The descriptors @yearly,
 * @annually, @monthly, @weekly, @daily, @midnight and @hourly stand for
 * their five-field forms.
 *
 * Day-of-month and day-of-week combine as in Vixie cron: when either field
 * is a star ("*", "?", or "*" with step 1), a day must match both (so the
 * star changes nothing); when both are restricted, a day matching either
 * one fires ("0 0 13 * 5": every 13th and every Friday).
 *
 * Not accepted (robfig accepts them, kubelab does not model them):
 * "@every DURATION" (not a calendar schedule; it is rejected with a
 * message saying so) and the "TZ=" / "CRON_TZ=" prefixes (upstream warns
 * that they are unsupported; here they are an error). Times are UTC.
 *
 * Interface: cron_schedule_parse turns text into a struct cron_schedule
 * (bit sets, nothing allocated); cron_schedule_next gives the first firing
 * time strictly after a given time. Both are pure functions of their
 * arguments.
 */
#ifndef KUBELAB_CTRL_CRON_SCHEDULE_H
#define KUBELAB_CTRL_CRON_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

/* Bit i of a field is set when value i matches (minute 0-59, hour 0-23,
 * day of month 1-31, month 1-12, day of week 0-6). */
struct cron_schedule {
	uint64_t minute, hour, dom, month, dow;
	bool dom_star, dow_star;	/* the field was "*" (see the OR rule) */
};

/* Parses spec. Returns 0, or -1 with *why set to robfig's message for the
 * first problem ("expected exactly 5 fields, found 4: [* * * *]",
 * "end of range (60) above maximum (59): 60"); the caller frees *why.
 * *out is only written on success. */
int cron_schedule_parse(const char *spec, struct cron_schedule *out, char **why);

/* K8S: SpecSchedule.Next. The first whole minute strictly after `after`
 * (UTC) that the schedule matches, or 0 when there is none within five
 * years (as robfig, which returns the zero time: "0 0 30 2 *" never
 * fires). */
ktime_t cron_schedule_next(const struct cron_schedule *schedule, ktime_t after);

/* Broken-down UTC time of t, for callers that format or test times. */
struct cron_tm {
	int year, month, day, hour, minute, second;	/* month 1-12, day 1-31 */
	int weekday;					/* 0 = Sunday */
};
void cron_time_split(ktime_t t, struct cron_tm *out);
/* The inverse, ignoring weekday; fields may overflow (month 13 is January
 * of the next year, day 0 the last day of the previous month). */
ktime_t cron_time_join(const struct cron_tm *tm);

#endif
