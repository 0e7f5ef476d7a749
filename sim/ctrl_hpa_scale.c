/* ctrl_hpa_scale.c - from a recommendation to the next size: the HPA's
 * stabilisation windows and scaling policies.
 *
 * K8S: pkg/controller/podautoscaler/horizontal.go (normalizeDesiredReplicas,
 * stabilizeRecommendation, convertDesiredReplicasWithRules,
 * normalizeDesiredReplicasWithBehaviors, stabilizeRecommendationWithBehaviors,
 * convertDesiredReplicasWithBehaviorRate, calculateScaleUpLimitWithScalingRules,
 * calculateScaleDownLimitWithBehaviors, storeScaleEvent).
 *
 * Metrics are noisy; a controller that followed each sample would flap.
 * Two brakes:
 *   - stabilisation: remember every recommendation; scale down only to the
 *     highest recommendation of the last window (5 min by default), and
 *     with a scale-up window, scale up only to the lowest of that window;
 *   - rate limits: with spec.behavior, each policy allows so many pods (or
 *     percent) per period, counted from the size the target had at the
 *     start of the period (the rescales of the period are remembered);
 *     selectPolicy Max takes the policy allowing the most change, Min the
 *     least, Disabled none. Without spec.behavior, upstream keeps its
 *     older rule: never more than max(2 x current, 4) in one step.
 * Then minReplicas and maxReplicas bound the result. What limited it
 * becomes the ScalingLimited condition.
 *
 * Interface: hpa_normalize_*, hpa_record_scale, hpa_history_* (ctrl_hpa.h).
 * Times compare as upstream's time.Before/After: strictly.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_hpa.h"
#include "xmalloc.h"

#define SCALE_UP_LIMIT_FACTOR	2.0	/* K8S: scaleUpLimitFactor */
#define SCALE_UP_LIMIT_MINIMUM	4.0	/* K8S: scaleUpLimitMinimum */

#define PUSH(list, value) do {						\
	size_t cap_ = (list).len;					\
	xgrow((void **)&(list).items, &cap_, (list).len + 1,		\
	      sizeof(*(list).items));					\
	(list).items[(list).len++] = (value);				\
} while (0)

void hpa_history_release(struct hpa_history *history)
{
	free(history->recommendations.items);
	free(history->up.items);
	free(history->down.items);
	memset(history, 0, sizeof(*history));
}

void hpa_history_init(struct hpa_history *history, int32_t current, ktime_t now)
{
	if (history->recommendations.len)
		return;
	PUSH(history->recommendations, ((struct hpa_recommendation){ current, now }));
}

/* Records a recommendation, reusing the slot of one older than cutoff
 * (upstream keeps the list short that way). */
static void remember(struct hpa_history *history, bool found_old, size_t old_index,
		     int32_t desired, ktime_t now)
{
	struct hpa_recommendation rec = { desired, now };
	if (found_old)
		history->recommendations.items[old_index] = rec;
	else
		PUSH(history->recommendations, rec);
}

static void result(struct hpa_normalized *out, int32_t stabilized, int32_t replicas,
		   const char *reason, const char *message)
{
	out->replicas = replicas;
	out->limited = replicas != stabilized;
	out->limited_reason = reason;
	out->limited_message = message;
}

/* ---- without spec.behavior ----------------------------------------------- */

void hpa_normalize_legacy(struct hpa_history *history, ktime_t now, ktime_t window,
			  int32_t current, int32_t desired, int32_t min, int32_t max,
			  struct hpa_normalized *out)
{
	/* K8S: stabilizeRecommendation. */
	int32_t stabilized = desired;
	bool found_old = false;
	size_t old_index = 0;
	ktime_t cutoff = now - window;
	for (size_t i = 0; i < history->recommendations.len; i++) {
		const struct hpa_recommendation *rec = &history->recommendations.items[i];
		if (rec->at < cutoff) {
			found_old = true;
			old_index = i;
		} else if (rec->replicas > stabilized) {
			stabilized = rec->replicas;
		}
	}
	remember(history, found_old, old_index, desired, now);
	if (stabilized != desired) {
		out->able_reason = "ScaleDownStabilized";
		out->able_message = "recent recommendations were higher than current one, "
				    "applying the highest recent recommendation";
	} else {
		out->able_reason = "ReadyForNewScale";
		out->able_message = "recommended size matches current size";
	}

	/* K8S: convertDesiredReplicasWithRules. */
	int32_t up_limit = (int32_t)fmax(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM);
	int32_t highest;
	const char *reason, *message;
	if (max > up_limit) {
		highest = up_limit;
		reason = "ScaleUpLimit";
		message = "the desired replica count is increasing faster than the maximum "
			  "scale rate";
	} else {
		highest = max;
		reason = "TooManyReplicas";
		message = "the desired replica count is more than the maximum replica count";
	}
	if (stabilized < min)
		result(out, stabilized, min, "TooFewReplicas",
		       "the desired replica count is less than the minimum replica count");
	else if (stabilized > highest)
		result(out, stabilized, highest, reason, message);
	else
		result(out, stabilized, stabilized, "DesiredWithinRange",
		       "the desired count is within the acceptable range");
}

/* ---- with spec.behavior -------------------------------------------------- */

/* K8S: getReplicasChangePerPeriod. */
static int32_t change_in_period(const struct hpa_scale_event *events, size_t len,
				int32_t period_seconds, ktime_t now)
{
	ktime_t cutoff = now - (ktime_t)period_seconds * KTIME_SECOND;
	int32_t change = 0;
	for (size_t i = 0; i < len; i++)
		if (events[i].at > cutoff)
			change += events[i].change;
	return change;
}

static int32_t period_start(const struct hpa_history *history, int32_t current,
			    int32_t period_seconds, ktime_t now)
{
	return current - change_in_period(history->up.items, history->up.len, period_seconds, now) +
	       change_in_period(history->down.items, history->down.len, period_seconds, now);
}

static int32_t min32(int32_t a, int32_t b) { return a < b ? a : b; }
static int32_t max32(int32_t a, int32_t b) { return a > b ? a : b; }

/* K8S: calculateScaleUpLimitWithScalingRules. */
static int32_t scale_up_limit(const struct hpa_history *history, int32_t current,
			      const struct hpa_scaling_rules *rules, ktime_t now)
{
	const char *select = rules->select_policy ? rules->select_policy : "Max";
	if (!strcmp(select, "Disabled"))
		return current;
	bool pick_min = !strcmp(select, "Min");
	int32_t limit = pick_min ? INT32_MAX : INT32_MIN;
	for (size_t i = 0; i < rules->policies.len; i++) {
		const struct hpa_scaling_policy *p = &rules->policies.items[i];
		int32_t start = period_start(history, current, p->period_seconds, now);
		/* In double, saturating: a policy's value may be any int32,
		 * and start + value must not wrap (undefined in C). */
		double want = !strcmp(p->type, "Pods") ? (double)start + p->value :
			ceil((double)start * (1 + (double)p->value / 100));
		int32_t proposed = want >= INT32_MAX ? INT32_MAX :
				   want <= INT32_MIN ? INT32_MIN : (int32_t)want;
		limit = pick_min ? min32(limit, proposed) : max32(limit, proposed);
	}
	return limit;
}

/* K8S: calculateScaleDownLimitWithBehaviors. */
static int32_t scale_down_limit(const struct hpa_history *history, int32_t current,
				const struct hpa_scaling_rules *rules, ktime_t now)
{
	const char *select = rules->select_policy ? rules->select_policy : "Max";
	if (!strcmp(select, "Disabled"))
		return current;
	bool pick_min = !strcmp(select, "Min");
	int32_t limit = pick_min ? INT32_MIN : INT32_MAX;
	for (size_t i = 0; i < rules->policies.len; i++) {
		const struct hpa_scaling_policy *p = &rules->policies.items[i];
		int32_t start = period_start(history, current, p->period_seconds, now);
		int32_t proposed = !strcmp(p->type, "Pods") ? start - p->value :
			(int32_t)((double)start * (1 - (double)p->value / 100));
		limit = pick_min ? max32(limit, proposed) : min32(limit, proposed);
	}
	return limit;
}

void hpa_normalize_behavior(struct hpa_history *history, ktime_t now,
			    const struct hpa_behavior *behavior, int32_t current,
			    int32_t desired, int32_t min, int32_t max,
			    struct hpa_normalized *out)
{
	/* K8S: stabilizeRecommendationWithBehaviors: the lowest of the
	 * scale-up window and the highest of the scale-down window bound the
	 * move from current. */
	ktime_t up_cutoff = now - behavior->scale_up.stabilization_window_seconds.value * KTIME_SECOND;
	ktime_t down_cutoff = now -
		behavior->scale_down.stabilization_window_seconds.value * KTIME_SECOND;
	int32_t up = desired, down = desired;
	bool found_old = false;
	size_t old_index = 0;
	for (size_t i = 0; i < history->recommendations.len; i++) {
		const struct hpa_recommendation *rec = &history->recommendations.items[i];
		if (rec->at > up_cutoff)
			up = min32(rec->replicas, up);
		if (rec->at > down_cutoff)
			down = max32(rec->replicas, down);
		if (rec->at < up_cutoff && rec->at < down_cutoff) {
			found_old = true;
			old_index = i;
		}
	}
	int32_t stabilized = current;
	if (stabilized < up)
		stabilized = up;
	if (stabilized > down)
		stabilized = down;
	remember(history, found_old, old_index, desired, now);
	if (stabilized == desired) {
		out->able_reason = "ReadyForNewScale";
		out->able_message = "recommended size matches current size";
	} else if (desired >= current) {
		out->able_reason = "ScaleUpStabilized";
		out->able_message = "recent recommendations were lower than current one, "
				    "applying the lowest recent recommendation";
	} else {
		out->able_reason = "ScaleDownStabilized";
		out->able_message = "recent recommendations were higher than current one, "
				    "applying the highest recent recommendation";
	}

	/* K8S: convertDesiredReplicasWithBehaviorRate. */
	int32_t bound = stabilized;
	const char *reason = "DesiredWithinRange";
	const char *message = "the desired count is within the acceptable range";
	if (stabilized > current) {
		int32_t limit = max32(scale_up_limit(history, current, &behavior->scale_up, now),
				      current);
		if (max > limit && stabilized > limit) {
			bound = limit;
			reason = "ScaleUpLimit";
			message = "the desired replica count is increasing faster than the "
				  "maximum scale rate";
		} else if (max <= limit && stabilized > max) {
			bound = max;
			reason = "TooManyReplicas";
			message = "the desired replica count is more than the maximum replica count";
		}
	} else if (stabilized < current) {
		int32_t limit = min32(scale_down_limit(history, current, &behavior->scale_down, now),
				      current);
		if (min < limit && stabilized < limit) {
			bound = limit;
			reason = "ScaleDownLimit";
			message = "the desired replica count is decreasing faster than the "
				  "maximum scale rate";
		} else if (min >= limit && stabilized < min) {
			bound = min;
			reason = "TooFewReplicas";
			message = "the desired replica count is less than the minimum replica count";
		}
	}
	result(out, stabilized, bound, reason, message);
}

static int32_t longest_period(const struct hpa_scaling_rules *rules)
{
	int32_t longest = 0;
	for (size_t i = 0; i < rules->policies.len; i++)
		longest = max32(longest, rules->policies.items[i].period_seconds);
	return longest;
}

void hpa_record_scale(struct hpa_history *history, const struct hpa_behavior *behavior,
		      ktime_t now, int32_t previous, int32_t next)
{
	if (!behavior)
		return;		/* the legacy rules need no events */
	bool up = next > previous;
	const struct hpa_scaling_rules *rules = up ? &behavior->scale_up : &behavior->scale_down;
	struct hpa_history *h = history;
	struct hpa_scale_event *items = up ? h->up.items : h->down.items;
	size_t len = up ? h->up.len : h->down.len;
	/* K8S: markScaleEventsOutdated, then reuse an outdated slot. */
	ktime_t cutoff = now - (ktime_t)longest_period(rules) * KTIME_SECOND;
	bool found_old = false;
	size_t old_index = 0;
	for (size_t i = 0; i < len; i++) {
		if (items[i].at < cutoff)
			items[i].outdated = true;
		if (items[i].outdated) {
			found_old = true;
			old_index = i;
		}
	}
	struct hpa_scale_event event = { up ? next - previous : previous - next, now, false };
	if (found_old)
		items[old_index] = event;
	else if (up)
		PUSH(h->up, event);
	else
		PUSH(h->down, event);
}
