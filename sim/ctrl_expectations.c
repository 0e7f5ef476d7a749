/* ctrl_expectations.c - creations and deletions in flight; see
 * ctrl_expectations.h.
 *
 * K8S: ControlleeExpectations (two counters and a timestamp) plus the UID
 * tracking wrapper's set of pod keys whose deletion is awaited.
 *
 * Invariant: an entry's pending set holds exactly the deletions not yet
 * observed among those last expected, so dels == its size unless a
 * creation-only expectation reset the counters (as upstream, where
 * ExpectCreations does not touch the key set).
 */
#include "ctrl_expectations.h"

#include <stdlib.h>

#include "hashmap.h"
#include "xmalloc.h"

struct expectation {
	int64_t adds;			/* creations still to observe */
	int64_t dels;			/* deletions still to observe */
	ktime_t timestamp;		/* when they were set */
	struct hashmap pending;		/* pod key -> (void *)1, awaited deletions */
};

struct expectations {
	struct clock clock;
	struct hashmap by_key;		/* controller key -> struct expectation */
};

struct expectations *expectations_new(const struct clock *clock)
{
	struct expectations *table = xcalloc(1, sizeof(*table));
	table->clock = *clock;
	hashmap_set_unordered(&table->by_key);	/* only ever freed in a loop */
	return table;
}

static void expectation_free(struct expectation *e)
{
	hashmap_release(&e->pending);
	free(e);
}

void expectations_free(struct expectations *table)
{
	if (!table)
		return;
	void *value;
	for (size_t pos = 0; hashmap_next(&table->by_key, &pos, NULL, &value);)
		expectation_free(value);
	hashmap_release(&table->by_key);
	free(table);
}

static struct expectation *entry(struct expectations *table, const char *key)
{
	struct expectation *e = hashmap_get(&table->by_key, key);
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		hashmap_set_unordered(&e->pending);	/* never iterated */
		hashmap_put(&table->by_key, key, e);
	}
	return e;
}

void expectations_expect_creations(struct expectations *table, const char *key,
				   int adds)
{
	struct expectation *e = entry(table, key);
	e->adds = adds;
	e->dels = 0;
	e->timestamp = clock_now(&table->clock);
}

void expectations_expect_deletions(struct expectations *table, const char *key,
				   const char *const *pods, size_t len)
{
	struct expectation *e = entry(table, key);
	hashmap_release(&e->pending);
	for (size_t i = 0; i < len; i++)
		hashmap_put(&e->pending, pods[i], (void *)1);
	e->adds = 0;
	e->dels = (int64_t)e->pending.len;
	e->timestamp = clock_now(&table->clock);
}

void expectations_creation_observed(struct expectations *table, const char *key)
{
	struct expectation *e = hashmap_get(&table->by_key, key);
	if (e)
		e->adds--;
}

void expectations_deletion_observed(struct expectations *table, const char *key,
				    const char *pod)
{
	struct expectation *e = hashmap_get(&table->by_key, key);
	if (e && hashmap_remove(&e->pending, pod))
		e->dels--;
}

bool expectations_satisfied(const struct expectations *table, const char *key)
{
	const struct expectation *e = hashmap_get(&table->by_key, key);
	if (!e)
		return true;	/* never expected anything */
	if (e->adds <= 0 && e->dels <= 0)
		return true;
	/* A lost watch event must not stall the controller for ever. */
	return clock_now(&table->clock) - e->timestamp > EXPECTATIONS_TIMEOUT;
}

void expectations_delete(struct expectations *table, const char *key)
{
	struct expectation *e = hashmap_remove(&table->by_key, key);
	if (e)
		expectation_free(e);
}

bool expectations_get(const struct expectations *table, const char *key,
		      int64_t *adds, int64_t *dels)
{
	const struct expectation *e = hashmap_get(&table->by_key, key);
	*adds = e ? e->adds : 0;
	*dels = e ? e->dels : 0;
	return e != NULL;
}
