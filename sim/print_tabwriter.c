/* print_tabwriter.c - column alignment as kubectl's, and shared formatters.
 *
 * K8S: kubectl writes every table and every describe page through Go's
 * text/tabwriter (go/src/text/tabwriter/tabwriter.go; `get` uses the
 * github.com/liggitt/tabwriter fork with minwidth 6, padding 3, see
 * cli-runtime/pkg/printers/tabwriter.go; describe uses minwidth 0,
 * padding 2, see kubectl/pkg/describe/describe.go tabbedString). Getting
 * its column-block rule right is what makes `kubelab describe pod` look
 * like `kubectl describe pod`, down to where "Controlled By:" lines up.
 *
 * The algorithm, as Go's format(): for column c, scan the lines; a run of
 * consecutive lines that each have a tab-terminated cell c is a block; its
 * width is max(minwidth, widest cell + padding); recurse into column c+1
 * within the block. Lines outside any block of c are written with the
 * widths found so far. The last cell of a line (after its last tab) is
 * never padded.
 *
 * Also here: ages, RFC 1123 times, label and selector text, colours.
 */
#include "print_internal.h"
#include "duration.h"
#include "selector.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffering ----------------------------------------------------------- */

void tabwriter_init(struct tabwriter *tw, FILE *out, int minwidth, int padding,
		    bool trim)
{
	*tw = (struct tabwriter){ .out = out, .minwidth = minwidth,
				  .padding = padding, .trim = trim };
}

static void append_v(struct tabwriter *tw, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	BUG_ON(n < 0);
	xgrow((void **)&tw->buf, &tw->cap, tw->len + (size_t)n + 1, 1);
	vsnprintf(tw->buf + tw->len, (size_t)n + 1, fmt, ap);
	tw->len += (size_t)n;
}

void tabwriter_printf(struct tabwriter *tw, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	append_v(tw, fmt, ap);
	va_end(ap);
}

void tabwriter_put(struct tabwriter *tw, int level, const char *fmt, ...)
{
	for (int i = 0; i < level; i++)
		tabwriter_printf(tw, "  ");
	va_list ap;
	va_start(ap, fmt);
	append_v(tw, fmt, ap);
	va_end(ap);
}

/* ---- layout -------------------------------------------------------------- */

struct cell {
	const char *text;
	size_t size;			/* bytes */
	int width;			/* characters shown */
};

struct line {
	struct cell *cells;
	size_t len;
	bool newline;			/* false only for unterminated last text */
};

struct layout {
	struct tabwriter *tw;
	struct line *lines;
	int *widths;			/* one per column of the current block */
	size_t depth;
	char *row;			/* one output line, for trimming */
	size_t row_len, row_cap;
};

/* UTF-8 characters in text, not counting ANSI escape sequences ("\033[31m"
 * has no width on a terminal). */
static int text_width(const char *text, size_t size)
{
	int width = 0;
	for (size_t i = 0; i < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == 0x1b && i + 1 < size && text[i + 1] == '[') {
			i += 2;
			while (i < size && !(text[i] >= 0x40 && text[i] <= 0x7e))
				i++;
			continue;
		}
		if ((c & 0xc0) != 0x80)	/* not a continuation byte */
			width++;
	}
	return width;
}

static void row_add(struct layout *l, const char *text, size_t size)
{
	xgrow((void **)&l->row, &l->row_cap, l->row_len + size + 1, 1);
	memcpy(l->row + l->row_len, text, size);
	l->row_len += size;
}

static void row_pad(struct layout *l, int count)
{
	for (int i = 0; i < count; i++)
		row_add(l, " ", 1);
}

/* K8S: tabwriter writeLines: cells padded to the block widths. */
static void write_lines(struct layout *l, size_t line0, size_t line1)
{
	for (size_t i = line0; i < line1; i++) {
		const struct line *line = &l->lines[i];
		l->row_len = 0;
		for (size_t j = 0; j < line->len; j++) {
			const struct cell *c = &line->cells[j];
			row_add(l, c->text, c->size);
			if (j < l->depth)
				row_pad(l, l->widths[j] - c->width);
		}
		if (l->tw->trim)
			while (l->row_len && l->row[l->row_len - 1] == ' ')
				l->row_len--;
		fwrite(l->row, 1, l->row_len, l->tw->out);
		if (line->newline)
			fputc('\n', l->tw->out);
	}
}

/* K8S: tabwriter format(): see the comment at the top of the file. */
static void format(struct layout *l, size_t line0, size_t line1)
{
	size_t column = l->depth;
	for (size_t this = line0; this < line1; this++) {
		if (column + 1 >= l->lines[this].len)
			continue;	/* no cell in this column */
		write_lines(l, line0, this);
		line0 = this;
		int width = l->tw->minwidth;
		for (; this < line1; this++) {
			const struct line *line = &l->lines[this];
			if (column + 1 >= line->len)
				break;
			int w = line->cells[column].width + l->tw->padding;
			if (w > width)
				width = w;
		}
		l->widths[l->depth++] = width;
		format(l, line0, this);
		l->depth--;
		line0 = this;
	}
	write_lines(l, line0, line1);
}

void tabwriter_flush(struct tabwriter *tw)
{
	if (!tw->len)
		return;
	/* Split the text into lines of cells (pointers into tw->buf). */
	size_t nlines = 1, most = 1;
	for (size_t i = 0; i < tw->len; i++)
		nlines += tw->buf[i] == '\n';
	struct layout l = { .tw = tw, .lines = xcalloc(nlines, sizeof(struct line)) };
	size_t n = 0;
	const char *p = tw->buf, *end = tw->buf + tw->len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end;
		struct line *line = &l.lines[n++];
		size_t cells = 1;
		for (const char *q = p; q < stop; q++)
			cells += *q == '\t';
		line->cells = xcalloc(cells, sizeof(struct cell));
		line->newline = eol != NULL;
		for (const char *q = p;; q++) {
			if (q == stop || *q == '\t') {
				struct cell *c = &line->cells[line->len++];
				c->text = p;
				c->size = (size_t)(q - p);
				c->width = text_width(p, c->size);
				p = q + 1;
				if (q == stop)
					break;
			}
		}
		if (cells > most)
			most = cells;
		p = stop + 1;
	}
	l.widths = xcalloc(most, sizeof(int));
	format(&l, 0, n);

	for (size_t i = 0; i < n; i++)
		free(l.lines[i].cells);
	free(l.lines);
	free(l.widths);
	free(l.row);
	tw->len = 0;
}

void tabwriter_release(struct tabwriter *tw)
{
	tabwriter_flush(tw);
	free(tw->buf);
	tw->buf = NULL;
	tw->cap = 0;
}

/* ---- times --------------------------------------------------------------- */

void print_age(ktime_t now, ktime_t t, char *buf, size_t size)
{
	if (!t) {
		snprintf(buf, size, "<unknown>");
		return;
	}
	duration_human(now - t, buf, size);
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm), so
 * the result never depends on the local time zone or locale. */
static void civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

void print_time_rfc1123(ktime_t t, char *buf, size_t size)
{
	static const char *const weekdays[] = {
		"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"	/* from 1970-01-01 */
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	if (!t) {
		/* Go's zero time.Time, which is what kubectl prints for an
		 * unset metav1.Time. */
		snprintf(buf, size, "Mon, 01 Jan 0001 00:00:00 +0000");
		return;
	}
	int64_t seconds = t / KTIME_SECOND - (t % KTIME_SECOND < 0);
	int64_t days = seconds / 86400 - (seconds % 86400 < 0);
	int64_t rest = seconds - days * 86400;
	int64_t year;
	int month, day;
	civil_from_days(days, &year, &month, &day);
	int64_t weekday = days % 7;
	if (weekday < 0)
		weekday += 7;
	snprintf(buf, size, "%s, %02d %s %04lld %02d:%02d:%02d +0000",
		 weekdays[weekday], day, months[month - 1], (long long)year,
		 (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60));
}

/* ---- labels and selectors ------------------------------------------------ */

char *print_labels(const struct strmap *labels)
{
	if (!labels->len)
		return xstrdup("<none>");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	BUG_ON(!f);
	for (size_t i = 0; i < labels->len; i++)	/* strmap is sorted */
		fprintf(f, "%s%s=%s", i ? "," : "", labels->items[i].key,
			labels->items[i].value);
	fclose(f);
	return text;
}

/* NULL when the selector is invalid. */
static char *selector_text(const struct label_selector *spec)
{
	struct selector sel;
	struct err *err = NULL;
	if (label_selector_compile(spec, &sel, &err) < 0) {
		err_free(err);
		return NULL;
	}
	char *text = selector_to_string(&sel);
	selector_release(&sel);
	return text;
}

char *print_label_selector(const struct label_selector *selector)
{
	char *text = selector_text(selector);
	if (!text)
		return xstrdup("<error>");
	if (!*text) {
		free(text);
		return xstrdup("<none>");
	}
	return text;
}

char *print_selector_string(const struct label_selector *selector)
{
	char *text = selector_text(selector);
	return text ? text : xstrdup("<invalid>");
}

char *print_int_or_string(const struct int_or_string *value)
{
	if (!value->is_set)
		return xstrdup("");
	if (value->is_string)
		return xstrdup(value->str_value ? value->str_value : "");
	return xasprintf("%d", value->int_value);
}

/* ---- colour -------------------------------------------------------------- */

/* kubectl prints no colour; kubelab adds it on a terminal so a failing pod
 * stands out in a long list. Only the first word of "Ready,Scheduling
 * Disabled" decides. */
const char *print_status_color(const char *status)
{
	static const char *const good[] = {
		"Running", "Ready", "Completed", "Complete", "Succeeded", "Active",
		"Bound", "Available", NULL
	};
	static const char *const waiting[] = {
		"Pending", "ContainerCreating", "PodInitializing", "Terminating",
		"SchedulingGated", "Suspended", "Released", NULL
	};
	if (!status || !*status)
		return NULL;
	size_t n = strcspn(status, ",");
	for (int i = 0; good[i]; i++)
		if (strlen(good[i]) == n && !strncmp(status, good[i], n))
			return "\033[32m";	/* green */
	for (int i = 0; waiting[i]; i++)
		if (strlen(waiting[i]) == n && !strncmp(status, waiting[i], n))
			return "\033[33m";	/* yellow */
	/* "Init:1/2" is progress, "Init:CrashLoopBackOff" a failure. */
	if (!strncmp(status, "Init:", 5) && strchr(status, '/'))
		return "\033[33m";
	return "\033[31m";		/* red: CrashLoopBackOff, Error, OOMKilled ... */
}
