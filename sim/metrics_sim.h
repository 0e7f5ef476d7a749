/* metrics_sim.h - the sim backend of the metrics APIs (metrics.h): pod
 * usage computed from the scenario's traffic model and image costs.
 *
 * K8S: plays metrics-server (resource metrics, scraped every 15 s: its
 * --metric-resolution) and a custom metrics adapter exposing each
 * traffic profile's per-pod requests per second.
 *
 * Ownership: metrics_sim_new borrows store and scenario, which must
 * outlive it; metrics_sim_free frees it. The source it hands out lives as
 * long as it does.
 */
#ifndef KUBELAB_METRICS_SIM_H
#define KUBELAB_METRICS_SIM_H

#include "metrics.h"
#include "scenario.h"
#include "store.h"

/* The resolution of metrics-server: one sample per pod per window. */
#define METRICS_RESOLUTION (15 * KTIME_SECOND)

struct metrics_sim;

/* start: the run's start (traffic times are relative to it). */
struct metrics_sim *metrics_sim_new(const struct store *store, const struct clock *clock,
				    const struct scenario *scenario, ktime_t start);
const struct metrics_source *metrics_sim_source(const struct metrics_sim *sim);
void metrics_sim_free(struct metrics_sim *sim);

#endif
