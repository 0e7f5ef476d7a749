/* duration.h - durations as Kubernetes writes them: "30s", "1h30m", "300ms".
 *
 * Kubernetes configuration fields of type metav1.Duration (the kubelet's
 * nodeStatusUpdateFrequency, the node lifecycle controller's
 * nodeMonitorGracePeriod) and kubelab's scenario times ("after: 5m") are Go
 * time.Duration values, written as Go's ParseDuration accepts them: an optional sign, then one or more decimal numbers, each with
 * an optional fraction and a unit, such as "300ms", "-1.5h" or "2h45m".
 * Units: ns, us (or µs), ms, s, m, h. There is no day unit ("1d" is an
 * error; write "24h"), and a bare number other than "0" is an error too.
 *
 * The other direction has two printers. duration_format() is Go's
 * Duration.String(), exact and used when writing a duration back out
 * ("1h30m0s", "1.5s", "300ms", "0s"). duration_human() is what kubectl puts
 * in an AGE column: two significant units at most ("45s", "5m30s", "2d3h",
 * "3y10d").
 *
 * K8S: metav1.Duration (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/
 *      duration.go) wraps Go's time.ParseDuration and Duration.String
 *      (go/src/time/format.go, go/src/time/time.go);
 *      staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go
 *      HumanDuration for the AGE column.
 *
 * Durations are ktime_t (clock.h): signed 64-bit nanoseconds, the same
 * range as Go's time.Duration (about 292 years either way).
 */
#ifndef KUBELAB_DURATION_H
#define KUBELAB_DURATION_H

#include "clock.h"

#include <stddef.h>

/* Room for any output of duration_format() or duration_human(), NUL
 * included; the longest is "-2562047h47m16.854775808s". */
#define DURATION_STR_MAX 40

/* Parses text (the whole string, no surrounding spaces) as Go's
 * time.ParseDuration does. Returns 0 and sets *out on success. On failure
 * returns -1, leaves *out untouched and, when why is not NULL, sets *why to a
 * static English message such as "missing unit: expected a duration such as
 * 30s, 5m or 1h30m". Values beyond the ktime_t range are rejected. */
int duration_parse(const char *text, ktime_t *out, const char **why);

/* Writes d as Go's Duration.String() into buf (always NUL-terminated;
 * truncated if size < DURATION_STR_MAX). Micro-seconds print with the
 * UTF-8 micro sign, as Go does: "1.5µs". */
void duration_format(ktime_t d, char *buf, size_t size);

/* Writes d as kubectl's AGE column does (HumanDuration): about two
 * significant units. Slightly negative ages (over -2s, clock skew) print
 * "0s"; more negative ones print "<invalid>", as upstream. */
void duration_human(ktime_t d, char *buf, size_t size);

#endif
