/* print.h - kubectl's output: get tables and describe.
 *
 * K8S: kubectl's printers (pkg/printers/internalversion/printers.go for the
 * columns of `kubectl get`, staging/src/k8s.io/kubectl/pkg/describe for
 * `kubectl describe`). A Kubernetes user should recognise every table:
 * the same columns, the same STATUS words (Running, CrashLoopBackOff,
 * Terminating, Init:0/1, Completed ...), ages as kubectl prints them.
 */
#ifndef KUBELAB_PRINT_H
#define KUBELAB_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "object.h"
#include "store.h"

struct print_options {
	ktime_t now;			/* for AGE columns (absolute time) */
	bool wide;			/* -o wide */
	bool all_namespaces;		/* -A: adds a NAMESPACE column */
	bool with_kind;			/* names as kind/name (get all) */
	bool no_headers;
	bool color;			/* only on a terminal */
};

/* Prints objects (all of one kind) as `kubectl get` does: header, rows,
 * columns separated by three spaces and aligned. Prints "No resources
 * found" style messages to nothing: the caller decides. */
void print_table(FILE *out, enum kind_id kind, const struct object_list *objects,
		 const struct print_options *options);

/* `kubectl get events` rows for the events about obj (or all, when obj is
 * NULL), oldest first: LAST SEEN TYPE REASON OBJECT MESSAGE. */
void print_events(FILE *out, const struct store *store, const struct object *obj,
		  const struct print_options *options);

/* `kubectl describe KIND NAME`: the object's fields in kubectl's layout,
 * ending with its Events. */
void print_describe(FILE *out, const struct store *store, const struct object *obj,
		    const struct print_options *options);

/* kubectl's pod STATUS column (printPod's reason logic). */
const char *print_pod_status(const struct object *pod, char *buf, size_t size);

#endif
