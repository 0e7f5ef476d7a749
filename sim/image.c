/* image.c - the default behaviour of a simulated container image.
 *
 * A real image is a program with its own start-up time and resource use.
 * In the sim an image is the handful of numbers in struct image_behavior
 * (image.h), which a scenario declares under spec.images. An image the
 * scenario does not mention behaves like a well-mannered web server: it
 * pulls in a second, starts in half a second, is ready at once, never
 * exits, uses no measurable CPU or memory and weighs 10Mi on disk. Those are the defaults
 * written here, and documented in docs/scenario-reference.md.
 *
 * K8S: there is no upstream counterpart; the timings stand in for what the
 * kubelet's image manager (pkg/kubelet/images) and the container runtime
 * (CRI) take in a real cluster.
 *
 * Interface: image_behavior_default() fills a struct for a name;
 * image_behavior_release() frees what it owns (the name). Quantities and
 * durations are plain values.
 */
#include "image.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* The defaults, in one place, so the reference can quote them. */
#define IMAGE_DEFAULT_PULL	(1 * KTIME_SECOND)
#define IMAGE_DEFAULT_START	(500 * KTIME_MS)
#define IMAGE_DEFAULT_EXIT_CODE	1
/* Small, as a slim base image: under the scheduler's ImageLocality
 * threshold (23Mi per pod), so an image a scenario does not size never
 * steers placement. */
#define IMAGE_DEFAULT_SIZE	(10LL * 1024 * 1024)
/* 128 + SIGTERM: what the runtime reports for a process the signal ended. */
#define IMAGE_DEFAULT_SIGTERM_EXIT_CODE 143

void image_behavior_default(struct image_behavior *image, const char *name)
{
	memset(image, 0, sizeof(*image));
	image->name = xstrdup(name);
	image->pull = IMAGE_DEFAULT_PULL;
	image->start = IMAGE_DEFAULT_START;
	image->ready_after = 0;
	image->crash_after = 0;		/* never crashes */
	image->complete_after = 0;	/* never exits on its own */
	image->exit_code = IMAGE_DEFAULT_EXIT_CODE;
	image->pull_fails = false;
	image->liveness_fails_after = 0;	/* always answers its probe */
	image->oom_after = 0;		/* stays within its memory limit */
	image->startup_delay = 0;	/* answers its startup probe at once */
	image->pre_stop = 0;		/* its preStop hook returns at once */
	image->termination_delay = 0;	/* SIGTERM ends it at once ... */
	image->sigterm_exit_code = IMAGE_DEFAULT_SIGTERM_EXIT_CODE;
	image->ignores_sigterm = false;
	/* Zero usage; the formats decide how a later sum prints ("0", "0"). */
	image->cpu = quantity_from_milli(0, QUANTITY_DECIMAL_SI);
	image->memory = quantity_from_int(0, QUANTITY_BINARY_SI);
	image->size = quantity_from_int(IMAGE_DEFAULT_SIZE, QUANTITY_BINARY_SI);
	image->memory_grows_after = 0;	/* its working set stays as it is */
	image->memory_grows_to = quantity_from_int(0, QUANTITY_BINARY_SI);
}

/* Frees the name, the only thing the struct owns, and leaves it zeroed so
 * that releasing twice is harmless. */
void image_behavior_release(struct image_behavior *image)
{
	free(image->name);
	memset(image, 0, sizeof(*image));
}
