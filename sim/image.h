/* image.h - how a container image behaves when it runs, in the sim.
 *
 * A real image is a program; a simulated one is a handful of timings and
 * failure modes declared in the scenario (spec.images), which the sim
 * node agent plays out: how long the pull takes, how long until the
 * process is up and until it passes readiness, whether it crashes or
 * exits, when it stops answering its liveness probe or outgrows its memory
 * limit, how much CPU and memory it uses. An image the scenario does not
 * declare gets the defaults below.
 */
#ifndef KUBELAB_IMAGE_H
#define KUBELAB_IMAGE_H

#include "clock.h"
#include "quantity.h"

struct image_behavior {
	char *name;			/* "web:v1" */
	ktime_t pull;			/* image pull time; default 1s */
	ktime_t start;			/* create+start time; default 500ms */
	ktime_t ready_after;		/* from start until probes pass; default 0 */
	ktime_t crash_after;		/* exits with exit_code after this; 0 = never */
	ktime_t complete_after;		/* exits 0 after this (jobs); 0 = never */
	int32_t exit_code;		/* for crash_after; default 1 */
	ktime_t liveness_fails_after;	/* from start, its livenessProbe fails
					 * (if the pod declares one); 0 = never */
	ktime_t readiness_fails_after;	/* from start, its readinessProbe fails
					 * (if the pod declares one); 0 = never */
	ktime_t readiness_recovers_after;	/* from start, it passes again;
						 * 0 = never */
	ktime_t oom_after;		/* from start, its memory use passes the
					 * container's memory limit (if it has
					 * one): OOMKilled; 0 = never */
	bool pull_fails;		/* ErrImagePull / ImagePullBackOff */
	ktime_t startup_delay;		/* from start until it answers its
					 * startupProbe (if the pod declares
					 * one); default 0 */
	/* Termination (kubelet_stop.c): */
	ktime_t pre_stop;		/* how long its exec or httpGet preStop
					 * hook runs; default 0 */
	bool pre_stop_fails;		/* that hook fails: FailedPreStopHook */
	ktime_t termination_delay;	/* from SIGTERM until it exits (draining);
					 * default 0: at once */
	int32_t sigterm_exit_code;	/* its exit code then; default 143,
					 * 128 + SIGTERM, as a process that
					 * dies of the signal */
	bool ignores_sigterm;		/* only SIGKILL ends it (exit code 137) */
	struct quantity cpu;		/* usage while running */
	struct quantity memory;		/* working set while running; the
					 * eviction manager adds it up */
	ktime_t memory_grows_after;	/* from start, the working set becomes */
	struct quantity memory_grows_to;	/* this (a leak); 0 = never */
	/* Cost of load (spec.traffic, traffic.h): usage added per request
	 * per second the pod serves ("cpuPerRps: 5m": 5 millicores). */
	struct quantity cpu_per_rps;
	struct quantity memory_per_rps;
	struct quantity size;		/* bytes on disk, reported in node
					 * status.images; default 10Mi */
};

/* The defaults for an image the scenario does not describe: fills *image
 * (overwritten, not released first) with a copy of name. */
void image_behavior_default(struct image_behavior *image, const char *name);
/* Frees what the struct owns (the name) and zeroes it. Also declared in
 * scenario.h, next to scenario_image(). */
void image_behavior_release(struct image_behavior *image);

#endif
