/* print_internal.h - what the print_*.c files share; not for other modules.
 *
 * K8S: kubectl lays out both `get` tables and `describe` text with Go's
 * text/tabwriter (github.com/liggitt/tabwriter for tables): the printers
 * write cells separated by tabs and lines ended by newlines, and the
 * tabwriter pads each column to its widest cell. struct tabwriter is that
 * algorithm, so kubelab's output lines up exactly as kubectl's does.
 *
 * The rest are the small formatters several printers need: ages ("5m30s"),
 * kubectl's RFC 1123 times, label maps and selectors as kubectl prints
 * them, the pod summary behind the READY/STATUS/RESTARTS columns, the
 * events about an object, and the optional colours.
 *
 * Files: print_tabwriter.c (tabwriter and formatters), print_pod.c (the
 * pod STATUS), print_table.c, print_table_kinds.c and
 * print_table_workloads.c (`get`),
 * print_events.c (events), print_describe.c, print_describe_node.c,
 * print_describe_workloads.c, print_describe_apps.c,
 * print_describe_service.c, print_describe_storage.c and
 * print_describe_policy.c (`describe`).
 */
#ifndef KUBELAB_PRINT_INTERNAL_H
#define KUBELAB_PRINT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "api.h"
#include "print.h"

/* ---- the tabwriter -------------------------------------------------------
 * K8S: go/src/text/tabwriter. Text is buffered until tabwriter_flush().
 * A cell is text ended by a tab; the text after a line's last tab is not a
 * cell and is never padded. A column block is a run of consecutive lines
 * that all have a cell in that column; every cell of a block is padded to
 * max(minwidth, widest cell + padding). A line with fewer cells ends the
 * block, so `describe` sections align independently, as in kubectl.
 * Widths count UTF-8 characters and skip ANSI colour sequences. */
struct tabwriter {
	FILE *out;
	int minwidth;			/* kubectl get: 6; describe: 0 */
	int padding;			/* kubectl get: 3; describe: 2 */
	bool trim;			/* drop trailing blanks (get tables) */
	char *buf;			/* pending text, owned */
	size_t len, cap;
};

void tabwriter_init(struct tabwriter *tw, FILE *out, int minwidth, int padding,
		    bool trim);
/* Appends formatted text. */
void tabwriter_printf(struct tabwriter *tw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* K8S: describe's PrefixWriter.Write: the text prefixed by two spaces per
 * level (only before its first line, as upstream). */
void tabwriter_put(struct tabwriter *tw, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Lays out and writes everything buffered; later text starts new blocks. */
void tabwriter_flush(struct tabwriter *tw);
/* Flushes and frees the buffer. */
void tabwriter_release(struct tabwriter *tw);

/* ---- formatters ---------------------------------------------------------- */

/* Room for any of the formatted times below. */
#define PRINT_TIME_MAX 64

/* K8S: translateTimestampSince: the age of t at now as HumanDuration
 * ("5m30s"), or "<unknown>" when t is unset (0). */
void print_age(ktime_t now, ktime_t t, char *buf, size_t size);
/* K8S: Go's time.RFC1123Z in UTC: "Thu, 01 Jan 2026 00:01:30 +0000". An
 * unset time prints as Go's zero time, "Mon, 01 Jan 0001 00:00:00 +0000". */
void print_time_rfc1123(ktime_t t, char *buf, size_t size);

/* K8S: labels.FormatLabels: "a=1,b=2" sorted by key, "<none>" when empty.
 * Caller frees. */
char *print_labels(const struct strmap *labels);
/* K8S: metav1.FormatLabelSelector: "app=web,tier in (a,b)", "<none>" when
 * empty, "<error>" when invalid. Caller frees. */
char *print_label_selector(const struct label_selector *selector);
/* The selector's String() alone: "" when empty (describe's "Selector:"
 * of a Deployment, the SELECTOR column of `get deploy -o wide`). */
char *print_selector_string(const struct label_selector *selector);
/* K8S: intstr.IntOrString.String(): "25%", "1"; "" when unset. Caller
 * frees. */
char *print_int_or_string(const struct int_or_string *value);

/* The ANSI colour that fits a STATUS word (green Running, red
 * CrashLoopBackOff, yellow Pending ...), or NULL for none. */
const char *print_status_color(const char *status);
#define PRINT_COLOR_RESET "\033[0m"

/* ---- get tables (print_table.c) ------------------------------------------ */

struct column {
	const char *name;		/* as upstream: "Nominated Node" */
	bool wide;			/* upstream's Priority 1: only with -o wide */
};
#define COL(name) { name, false }
#define WIDE(name) { name, true }

/* One table being printed: its columns and where the current row is. */
struct table {
	struct tabwriter tw;
	const struct print_options *options;
	const struct column *columns;
	size_t columns_len;
	size_t column;			/* index of the next cell of the row */
	bool row_empty;			/* nothing written on this line yet */
};

/* A kind's columns and the function that writes one object's row: exactly
 * one table_* cell call per column, wide ones included (they are dropped
 * here unless -o wide). */
struct kind_printer {
	const struct column *columns;
	size_t columns_len;
	void (*row)(struct table *t, const struct object *obj);
};
#define KIND_PRINTER(cols, fn) { cols, sizeof(cols) / sizeof((cols)[0]), fn }

/* print_table_kinds.c: the printers of the apps, batch, service, storage,
 * scheduling, policy and coordination kinds; NULL for the others. */
const struct kind_printer *print_table_kinds_printer(enum kind_id kind);
/* print_table_workloads.c: the printers of the apps and batch kinds
 * (print_table_kinds_printer asks it first); NULL for the others. */
const struct kind_printer *print_table_workloads_printer(enum kind_id kind);

void table_cell(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void table_cell_color(struct table *t, const char *color, const char *text);
void table_cell_free(struct table *t, char *text);	/* takes over text */
void table_status(struct table *t, const char *status);	/* coloured */
void table_age(struct table *t, ktime_t since);		/* AGE: "5m" */
/* The NAME cell: name, or "deployment.apps/web" under `get all`. */
void table_name(struct table *t, const struct object *obj, const char *name);
/* CONTAINERS and IMAGES of -o wide (K8S: layoutContainerCells). */
void table_containers(struct table *t, const struct pod_spec *spec);
/* s, or "<none>" when s is NULL or empty. */
const char *print_or_none(const char *s);

/* K8S: storageutil.GetAccessModesAsString: "RWO,ROX", abbreviations in
 * a fixed order; "" for none. list_of_strings is a LIST_OF(char *).
 * Caller frees. */
char *print_access_modes(const void *list_of_strings);
/* K8S: storageutil.GetPersistentVolume(Claim)Class: the beta annotation
 * volume.beta.kubernetes.io/storage-class, else field, else "". */
const char *print_storage_class_of(const struct object *obj, const char *field);

/* K8S: findNodeRoles: "control-plane,worker", sorted; "" when none.
 * Caller frees. */
char *print_node_roles(const struct node *node);

/* ---- pods (print_pod.c) -------------------------------------------------- */

/* K8S: printPod's READY, STATUS and RESTARTS columns. */
struct pod_summary {
	char reason[128];		/* the STATUS word */
	int ready, total;		/* READY ready/total */
	int restarts;
	ktime_t last_restart;		/* newest lastState.terminated.finishedAt, 0 */
};
void print_pod_summarize(const struct pod *pod, struct pod_summary *out);

/* Which of a container_state's three members is set (at most one is). */
bool container_state_running(const struct container_state *state);
bool container_state_waiting(const struct container_state *state);
bool container_state_terminated(const struct container_state *state);

/* ---- events -------------------------------------------------------------- */

/* The Events about obj (or every Event when obj is NULL), sorted by
 * lastTimestamp, oldest first (ties keep store order). For a Node, events
 * whose involvedObject.uid is the node's name count too, as the kubelet
 * reports them so (K8S: NodeDescriber). Borrowed; release the list. */
void print_events_about(const struct store *store, const struct object *obj,
			struct object_list *out);
/* K8S: DescribeEvents: the "Events:" section of describe. */
void print_describe_events(struct tabwriter *tw, const struct store *store,
			   const struct object *obj, ktime_t now);

/* ---- describe ------------------------------------------------------------ */

/* print_describe_node.c */
void describe_node(struct tabwriter *tw, const struct store *store,
		   const struct node *node, ktime_t now);
/* print_describe_workloads.c; the shared pieces live in print_describe.c. */
void describe_deployment(struct tabwriter *tw, const struct store *store,
			 const struct deployment *deployment, ktime_t now);
void describe_replica_set(struct tabwriter *tw, const struct store *store,
			  const struct replica_set *rs, ktime_t now);
void describe_generic(struct tabwriter *tw, const struct store *store,
		      const struct object *obj, ktime_t now);
/* print_describe_apps.c */
void describe_stateful_set(struct tabwriter *tw, const struct store *store,
			   const struct stateful_set *sts, ktime_t now);
void describe_daemon_set(struct tabwriter *tw, const struct store *store,
			 const struct daemon_set *ds, ktime_t now);
void describe_job(struct tabwriter *tw, const struct store *store,
		  const struct job *job, ktime_t now);
void describe_cron_job(struct tabwriter *tw, const struct store *store,
		       const struct cron_job *cj, ktime_t now);
/* print_describe_service.c */
void describe_service(struct tabwriter *tw, const struct store *store,
		      const struct service *svc, ktime_t now);
void describe_endpoints(struct tabwriter *tw, const struct store *store,
			const struct endpoints *ep, ktime_t now);
void describe_endpoint_slice(struct tabwriter *tw, const struct store *store,
			     const struct endpoint_slice *eps, ktime_t now);
/* print_describe_storage.c */
void describe_pvc(struct tabwriter *tw, const struct store *store,
		  const struct persistent_volume_claim *pvc, ktime_t now);
void describe_pv(struct tabwriter *tw, const struct store *store,
		 const struct persistent_volume *pv, ktime_t now);
void describe_storage_class(struct tabwriter *tw, const struct store *store,
			    const struct storage_class *sc, ktime_t now);
/* print_describe_policy.c */
void describe_hpa(struct tabwriter *tw, const struct store *store,
		  const struct horizontal_pod_autoscaler *hpa, ktime_t now);
void describe_pdb(struct tabwriter *tw, const struct store *store,
		  const struct pod_disruption_budget *pdb, ktime_t now);
void describe_priority_class(struct tabwriter *tw, const struct store *store,
			     const struct priority_class *pc, ktime_t now);

/* K8S: printLabelsMultiline / printAnnotationsMultiline. */
void describe_labels(struct tabwriter *tw, const char *title,
		     const struct strmap *labels);
void describe_annotations(struct tabwriter *tw, const char *title,
			  const struct strmap *annotations);
/* K8S: DescribePodTemplate. */
void describe_pod_template(struct tabwriter *tw,
			   const struct pod_template_spec *template);
/* K8S: getPodStatusForController: the "Pods Status:" line, counting the
 * pods whose controller is owner by phase. */
void describe_pods_status(struct tabwriter *tw, const struct store *store,
			  const struct object *owner);
/* "CreationTimestamp:\t<RFC 1123 time>" */
void describe_creation(struct tabwriter *tw, const struct object *obj);
/* K8S: labels.FormatLabels of a map on one line: "a=1,b=2" or "<none>"
 * (StorageClass and PriorityClass print their annotations so). */
void describe_map_line(struct tabwriter *tw, const char *title,
		       const struct strmap *map);

/* K8S: printController: "ReplicaSet/web-7d4b9" or NULL. Caller frees. */
char *describe_controlled_by(const struct object *obj);

#endif
